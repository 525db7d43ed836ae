/* suites.h - how each EAL test file registers its CUnit suite. */
#ifndef TCPE_EAL_SUITES_H
#define TCPE_EAL_SUITES_H

/** The worker loop on a net_ring port (test_worker.c). @return 0 or -1. */
int suite_worker(void);

/** The connection table driven synchronously (test_table.c). @return 0 or -1. */
int suite_table(void);

/** Client mode on the connection table (test_client.c). @return 0 or -1. */
int suite_client(void);

/** The flow table on its own (test_flow.c). @return 0 or -1. */
int suite_flow(void);

/** tcpe's mbuf pools and their handler (test_mem.c); registered last. @return 0 or -1. */
int suite_mem(void);

#endif
