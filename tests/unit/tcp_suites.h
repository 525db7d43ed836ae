/* tcp_suites.h - how each unit-test file registers its CUnit suite. */
#ifndef TCPE_TCP_SUITES_H
#define TCPE_TCP_SUITES_H

#include <CUnit/CUnit.h>

struct test_case {
	const char *name;
	CU_TestFunc fn;
};
#define TEST(f) { #f, f }

/** Register @p cases (NULL-terminated) as one suite. @return 0 or -1. */
int add_suite(const char *name, const struct test_case *cases);

int suite_seq(void);
int suite_opts(void);
int suite_timer(void);
int suite_tcp(void);
int suite_loss(void);
int suite_conn(void);
int suite_misc(void);
int suite_packets(void);
int suite_ipv6(void);
int suite_http(void);
int suite_hostile(void);
int suite_sack(void);
int suite_rack(void);
int suite_bbr(void);
int suite_sender(void);

#endif
