/* main.c - the CUnit runner for the protocol core and packet code: no EAL, no NIC. */
#include <stdio.h>

#include <CUnit/Basic.h>

#include "tcp_suites.h"

int
add_suite(const char *name, const struct test_case *cases)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);

	if (s == NULL)
		return -1;
	for (const struct test_case *c = cases; c->name != NULL; c++)
		if (CU_add_test(s, c->name, c->fn) == NULL)
			return -1;
	return 0;
}

int
main(void)
{
	unsigned int failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (suite_seq() || suite_opts() || suite_timer() || suite_tcp() || suite_loss() || suite_conn() || suite_misc() || suite_http() ||
	    suite_hostile() || suite_sack() || suite_rack() || suite_bbr() || suite_sender() ||
	    suite_packets() || suite_ipv6()) {
		fprintf(stderr, "cannot register suites: %s\n", CU_get_error_msg());
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failures == 0 ? 0 : 1;
}
