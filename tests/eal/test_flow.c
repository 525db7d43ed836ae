/* test_flow.c - the flow table on its own: every key found at its design load, displacement, deletion, values replaced, bulk = single. */
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_lcore.h>
#include <rte_random.h>

#include "flow.h"
#include "suites.h"

/* Objects shaped like the real ones: a record with its tuple inside, a smaller TIME_WAIT entry. */
struct rec {
	uint64_t pad;
	struct tcp_tuple key;
	uint32_t more[9];
};
struct twe {
	struct tcp_tuple key;
	uint32_t more;
};

#define NREC 60000
#define NTW 4096
static struct rec recs[NREC];
static struct twe tws[NTW];

static struct flow_table *
make(uint32_t entries, uint32_t nrec, uint32_t ntw)
{
	const struct flow_space sp[2] = {
		{ recs, sizeof(struct rec), offsetof(struct rec, key), nrec },
		{ tws, sizeof(struct twe), offsetof(struct twe, key), ntw },
	};

	return flow_create("test_flow", entries, (uint32_t)rte_rand(), (int)rte_socket_id(), sp);
}

/* Distinct tuples: peer 198.18.x.y, ports from a counter, so no two are equal. */
static struct tcp_tuple
tuple(uint32_t i)
{
	return (struct tcp_tuple){ .raddr = 0xc6120000u | (i >> 16), .laddr = 0xc6120001u,
				   .rport = (uint16_t)i, .lport = 80 };
}

/* Records 0..n-1 and TIME_WAIT entries 0..m-1 keyed, then every one found, in bulk too. */
static void
full_table_finds_every_key(void)
{
	uint32_t n = NREC, m = NTW;
	struct flow_table *t = make(n + m, n, m);
	const struct tcp_tuple *keys[FLOW_BULK_MAX];
	void *out[FLOW_BULK_MAX];
	unsigned int bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (uint32_t i = 0; i < n; i++) {
		recs[i].key = tuple(i);
		CU_ASSERT_EQUAL_FATAL(flow_add(t, &recs[i].key, &recs[i]), 0);
	}
	for (uint32_t i = 0; i < m; i++) {
		tws[i].key = tuple(n + i);
		CU_ASSERT_EQUAL_FATAL(flow_add(t, &tws[i].key, (void *)((uintptr_t)&tws[i] | 1)), 0);
	}
	for (uint32_t i = 0; i < n; i++)
		bad += flow_lookup(t, &recs[i].key) != &recs[i];
	for (uint32_t i = 0; i < m; i++)
		bad += flow_lookup(t, &tws[i].key) != (void *)((uintptr_t)&tws[i] | 1);
	CU_ASSERT_EQUAL(bad, 0);
	/* absent keys: none found */
	for (uint32_t i = n + m; i < n + m + 100000; i++) {
		struct tcp_tuple k = tuple(i);

		bad += flow_lookup(t, &k) != NULL;
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* bulk: the same answers, present and absent mixed */
	for (uint32_t base = 0; base + FLOW_BULK_MAX <= n; base += 997) {
		struct tcp_tuple absent[FLOW_BULK_MAX];

		for (unsigned int j = 0; j < FLOW_BULK_MAX; j++) {
			absent[j] = tuple(n + m + base + j);
			keys[j] = (j % 3 == 2) ? &absent[j] : &recs[base + j].key;
		}
		flow_lookup_bulk(t, keys, FLOW_BULK_MAX, out);
		for (unsigned int j = 0; j < FLOW_BULK_MAX; j++)
			bad += out[j] != ((j % 3 == 2) ? NULL : (void *)&recs[base + j]);
	}
	CU_ASSERT_EQUAL(bad, 0);
	flow_free(t);
}

/* A table sized for fewer keys than are offered: displacement fills it well past the design
 * load before it says -ENOSPC, and every key it took is still found afterwards. */
static void
overfull_table_refuses_cleanly(void)
{
	uint32_t n = NREC, took = 0, bad = 0, slots;
	struct flow_table *t = make(1000, n, 0);	/* 1000 keys at 85 %: 149 buckets */
	int rc = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	/* buckets of 64 bytes, eight slots each, and less than a bucket of header */
	slots = (uint32_t)(flow_memory(t) / 64) * 8;
	CU_ASSERT(slots >= 149 * 8 && slots <= 150 * 8);
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		recs[i].key = tuple(i * 7919u);
		rc = flow_add(t, &recs[i].key, &recs[i]);
		took += rc == 0;
	}
	CU_ASSERT_EQUAL(rc, -ENOSPC);
	/* a full cuckoo table: at least 95 % of its slots used before the first refusal */
	CU_ASSERT(took >= 149 * 8 * 95 / 100);
	CU_ASSERT(took <= 149 * 8);
	for (uint32_t i = 0; i < took; i++)
		bad += flow_lookup(t, &recs[i].key) != &recs[i];
	CU_ASSERT_EQUAL(bad, 0);
	/* a key deleted goes back where it was (one of its buckets has the slot it left) */
	flow_del(t, &recs[0].key);
	CU_ASSERT_PTR_NULL(flow_lookup(t, &recs[0].key));
	CU_ASSERT_EQUAL(flow_add(t, &recs[0].key, &recs[0]), 0);
	CU_ASSERT_PTR_EQUAL(flow_lookup(t, &recs[0].key), &recs[0]);
	/* A new key needs a free slot within reach of its two buckets, which one free slot in a
	 * full table need not be: below the design load again (a quarter of the keys deleted, a
	 * sixteenth added: ~80 %), new keys all fit, and the ones kept are all still found. */
	for (uint32_t i = 0; i < took; i += 4)
		flow_del(t, &recs[i].key);
	for (uint32_t i = took; i < took + took / 16; i++) {
		recs[i].key = tuple(i * 7919u);
		rc = flow_add(t, &recs[i].key, &recs[i]);
		bad += rc != 0 || flow_lookup(t, &recs[i].key) != &recs[i];
	}
	for (uint32_t i = 1; i < took; i++)
		bad += flow_lookup(t, &recs[i].key) != (i % 4 == 0 ? NULL : (void *)&recs[i]);
	CU_ASSERT_EQUAL(bad, 0);
	flow_free(t);
}

/* Churn as a worker makes it: keys come and go, a record's key moves to a TIME_WAIT entry
 * (the value replaced in place), entries are reset. The table agrees with a model throughout. */
static void
churn_matches_a_model(void)
{
	uint32_t n = 20000, m = NTW;
	struct flow_table *t = make(n + m, n, m);
	static uint8_t where[NREC];	/* 0 absent, 1 record, 2 TIME_WAIT entry (index % m) */
	unsigned int bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	memset(where, 0, sizeof(where));
	for (uint32_t i = 0; i < n; i++)
		recs[i].key = tuple(i + 1000000);
	for (uint32_t step = 0; step < 400000; step++) {
		uint32_t i = (uint32_t)rte_rand_max(n);

		switch (where[i]) {
		case 0:
			CU_ASSERT_EQUAL_FATAL(flow_add(t, &recs[i].key, &recs[i]), 0);
			where[i] = 1;
			break;
		case 1:
			if (step & 1) {
				flow_del(t, &recs[i].key);
				where[i] = 0;
			} else if (where[i] == 1 && tws[i % m].key.lport == 0) {
				tws[i % m].key = recs[i].key;	/* TIME_WAIT takes the tuple over */
				CU_ASSERT_EQUAL_FATAL(flow_add(t, &recs[i].key,
							       (void *)((uintptr_t)&tws[i % m] | 1)), 0);
				where[i] = 2;
			}
			break;
		default:
			flow_del(t, &tws[i % m].key);
			tws[i % m].key.lport = 0;
			where[i] = 0;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		void *want = where[i] == 0 ? NULL : where[i] == 1 ? (void *)&recs[i] :
			     (void *)((uintptr_t)&tws[i % m] | 1);

		bad += flow_lookup(t, &recs[i].key) != want;
	}
	CU_ASSERT_EQUAL(bad, 0);
	flow_reset(t);
	for (uint32_t i = 0; i < n; i++)
		bad += flow_lookup(t, &recs[i].key) != NULL;
	CU_ASSERT_EQUAL(bad, 0);
	memset(tws, 0, sizeof(tws));
	flow_free(t);
}

int
suite_flow(void)
{
	CU_pSuite s = CU_add_suite("flow table", NULL, NULL);

	if (s == NULL ||
	    CU_add_test(s, "full_table_finds_every_key", full_table_finds_every_key) == NULL ||
	    CU_add_test(s, "overfull_table_refuses_cleanly", overfull_table_refuses_cleanly) == NULL ||
	    CU_add_test(s, "churn_matches_a_model", churn_matches_a_model) == NULL)
		return -1;
	return 0;
}
