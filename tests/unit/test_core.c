/* test_core.c - sequence arithmetic at the wrap, option parsing and building, timers. */
#include <errno.h>
#include <string.h>

#include "opts.h"
#include "seq.h"
#include "tcp_suites.h"
#include "timer.h"

/* --- seq ------------------------------------------------------------------------------ */

static void
seq_compares_across_wraparound(void)
{
	CU_ASSERT_TRUE(seq_lt(0xfffffff0u, 0x10));
	CU_ASSERT_TRUE(seq_gt(0x10, 0xfffffff0u));
	CU_ASSERT_TRUE(seq_le(0xffffffffu, 0));
	CU_ASSERT_TRUE(seq_ge(0, 0xffffffffu));
	CU_ASSERT_TRUE(seq_le(5, 5));
	CU_ASSERT_FALSE(seq_lt(5, 5));
	CU_ASSERT_EQUAL(seq_max(0xfffffff0u, 3), 3);
	CU_ASSERT_EQUAL(seq_min(0xfffffff0u, 3), 0xfffffff0u);
	/* half the space away is the limit of comparability */
	CU_ASSERT_TRUE(seq_lt(0, 0x7fffffffu));
	CU_ASSERT_TRUE(seq_gt(0, 0x80000001u));
}

static void
seq_in_window_across_wraparound(void)
{
	CU_ASSERT_TRUE(seq_in(0xfffffffeu, 0xfffffff0u, 0x10));
	CU_ASSERT_TRUE(seq_in(0x5, 0xfffffff0u, 0x10));
	CU_ASSERT_TRUE(seq_in(0xfffffff0u, 0xfffffff0u, 0x10));	/* left edge in */
	CU_ASSERT_FALSE(seq_in(0x10, 0xfffffff0u, 0x10));	/* right edge out */
	CU_ASSERT_FALSE(seq_in(0xffffffefu, 0xfffffff0u, 0x10));
	CU_ASSERT_FALSE(seq_in(7, 7, 7));			/* empty window */
}

static const struct test_case seq_cases[] = {
	TEST(seq_compares_across_wraparound),
	TEST(seq_in_window_across_wraparound),
	{ NULL, NULL },
};

int
suite_seq(void)
{
	return add_suite("sequence arithmetic", seq_cases);
}

/* --- options --------------------------------------------------------------------------- */

static void
opts_parses_a_linux_syn(void)
{
	/* MSS 1460, SACK-permitted, timestamps, NOP, window scale 7: what Linux sends. */
	static const uint8_t o[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0, 0,
				     1, 3, 3, 7 };
	struct tcp_opts p;

	CU_ASSERT_EQUAL(tcp_opts_parse(o, sizeof(o), &p), 0);
	CU_ASSERT_EQUAL(p.present, TCP_HAVE_MSS | TCP_HAVE_SACK_PERM | TCP_HAVE_TIMESTAMP |
				   TCP_HAVE_WSCALE);
	CU_ASSERT_EQUAL(p.mss, 1460);
	CU_ASSERT_EQUAL(p.ts_val, 0x1234);
	CU_ASSERT_EQUAL(p.ts_ecr, 0);
	CU_ASSERT_EQUAL(p.wscale, 7);
}

static void
opts_rejects_malformed_lengths(void)
{
	static const uint8_t zero_len[] = { 2, 0, 5, 0xb4 };
	static const uint8_t one_len[] = { 8, 1, 0, 0 };
	static const uint8_t overrun[] = { 1, 1, 8, 10, 0, 0 };
	static const uint8_t mss_len3[] = { 2, 3, 5, 1 };
	static const uint8_t sack_len7[] = { 5, 7, 0, 0, 0, 0, 0, 0 };
	static const uint8_t kind_only[] = { 1, 1, 1, 30 };
	uint8_t too_long[44] = { 0 };
	struct tcp_opts p;

	CU_ASSERT_EQUAL(tcp_opts_parse(zero_len, sizeof(zero_len), &p), -EINVAL);
	CU_ASSERT_EQUAL(tcp_opts_parse(one_len, sizeof(one_len), &p), -EINVAL);
	CU_ASSERT_EQUAL(tcp_opts_parse(overrun, sizeof(overrun), &p), -EINVAL);
	CU_ASSERT_EQUAL(tcp_opts_parse(mss_len3, sizeof(mss_len3), &p), -EINVAL);
	CU_ASSERT_EQUAL(tcp_opts_parse(sack_len7, sizeof(sack_len7), &p), -EINVAL);
	CU_ASSERT_EQUAL(tcp_opts_parse(kind_only, sizeof(kind_only), &p), -EINVAL);
	CU_ASSERT_EQUAL(tcp_opts_parse(too_long, sizeof(too_long), &p), -EINVAL);
}

static void
opts_skips_unknown_and_stops_at_eol(void)
{
	/* unknown kind 30 with length 4, then EOL, then garbage that must not be read */
	static const uint8_t o[] = { 30, 4, 0xde, 0xad, 0, 2, 0, 0 };
	static const uint8_t sack2[] = { 1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0,
					 4 };
	static const uint8_t big_ws[] = { 3, 3, 20, 0 };
	struct tcp_opts p;

	CU_ASSERT_EQUAL(tcp_opts_parse(o, sizeof(o), &p), 0);
	CU_ASSERT_EQUAL(p.present, 0);
	CU_ASSERT_EQUAL(tcp_opts_parse(sack2, sizeof(sack2), &p), 0);
	CU_ASSERT_EQUAL(p.nsack, 2);
	CU_ASSERT_EQUAL(p.sack[1].left, 3);
	CU_ASSERT_EQUAL(p.sack[1].right, 4);
	CU_ASSERT_EQUAL(tcp_opts_parse(big_ws, sizeof(big_ws), &p), 0);
	CU_ASSERT_EQUAL(p.wscale, 14);		/* RFC 7323 §2.3: clamp, don't fail */
}

static void
opts_build_round_trips(void)
{
	struct tcp_opts in = { .present = TCP_HAVE_MSS | TCP_HAVE_WSCALE | TCP_HAVE_SACK_PERM |
					  TCP_HAVE_TIMESTAMP | TCP_HAVE_SACK,
			       .mss = 1200, .wscale = 9, .ts_val = 77, .ts_ecr = 88, .nsack = 3 };
	struct tcp_opts out;
	uint8_t buf[TCP_OPT_MAX_LEN];
	unsigned int n;

	for (unsigned int i = 0; i < 3; i++) {
		in.sack[i].left = 100 * i;
		in.sack[i].right = 100 * i + 50;
	}
	n = tcp_opts_build(buf, &in);
	CU_ASSERT(n <= TCP_OPT_MAX_LEN);
	CU_ASSERT_EQUAL(n % 4, 0);
	CU_ASSERT_EQUAL(tcp_opts_parse(buf, n, &out), 0);
	CU_ASSERT_EQUAL(out.present, in.present);
	CU_ASSERT_EQUAL(out.mss, 1200);
	CU_ASSERT_EQUAL(out.wscale, 9);
	CU_ASSERT_EQUAL(out.ts_val, 77);
	CU_ASSERT_EQUAL(out.ts_ecr, 88);
	CU_ASSERT_EQUAL(out.nsack, 1);		/* 40 bytes leave room for one block here */
	CU_ASSERT_EQUAL(out.sack[0].right, 50);
}

static const struct test_case opts_cases[] = {
	TEST(opts_parses_a_linux_syn),
	TEST(opts_rejects_malformed_lengths),
	TEST(opts_skips_unknown_and_stops_at_eol),
	TEST(opts_build_round_trips),
	{ NULL, NULL },
};

int
suite_opts(void)
{
	return add_suite("tcp options", opts_cases);
}

/* --- timers ---------------------------------------------------------------------------- */

static struct tmr_link slots[16];
static struct tmr_link links[8];
static struct tmr_space space;	/* over links[] */

static void
wheel_never_fires_early_and_fires_in_time(void)
{
	struct tmr_wheel w;
	struct tmr_link *due[8];

	memset(links, 0, sizeof(links));
	tmr_space_init(&space, &links[0], sizeof(links[0]));
	CU_ASSERT_EQUAL(tmr_wheel_init(&w, slots, 16, 10, 0, &space), 0);
	tmr_wheel_arm(&w, &links[0], 5000);		/* ~5 ticks of 1024 us */
	tmr_wheel_arm(&w, &links[1], 50000);		/* several rotations of 16 ticks */
	CU_ASSERT_EQUAL(tmr_wheel_expire(&w, 4999, due, 8), 0);
	CU_ASSERT_EQUAL(tmr_wheel_expire(&w, 6200, due, 8), 1);
	CU_ASSERT_PTR_EQUAL(due[0], &links[0]);
	CU_ASSERT_FALSE(tmr_armed(&links[0]));
	CU_ASSERT_EQUAL(tmr_wheel_expire(&w, 49000, due, 8), 0);
	CU_ASSERT_EQUAL(tmr_wheel_expire(&w, 52000, due, 8), 1);
	CU_ASSERT_EQUAL(w.armed, 0);
}

static void
wheel_cancel_and_rearm(void)
{
	struct tmr_wheel w;
	struct tmr_link *due[8];

	memset(links, 0, sizeof(links));
	tmr_space_init(&space, &links[0], sizeof(links[0]));
	CU_ASSERT_EQUAL(tmr_wheel_init(&w, slots, 16, 10, 0, &space), 0);
	tmr_wheel_arm(&w, &links[0], 3000);
	tmr_wheel_cancel(&w, &links[0]);
	tmr_wheel_cancel(&w, &links[0]);		/* twice is harmless */
	tmr_wheel_arm(&w, &links[1], 3000);
	tmr_wheel_arm(&w, &links[1], 9000);		/* later: it fires at the new time */
	CU_ASSERT_EQUAL(w.armed, 1);
	CU_ASSERT_EQUAL(tmr_wheel_expire(&w, 5000, due, 8), 0);
	CU_ASSERT_EQUAL(tmr_wheel_expire(&w, 11000, due, 8), 1);
}

/* Re-armed later, a link stays in its slot and is filed under its new time when the cursor
 * passes the old one: it fires at the new time, rotations later, never at the old one. */
static void
wheel_rearm_later_keeps_its_new_time(void)
{
	struct tmr_wheel w;
	struct tmr_link *due[8];

	memset(links, 0, sizeof(links));
	tmr_space_init(&space, &links[0], sizeof(links[0]));
	CU_ASSERT_EQUAL(tmr_wheel_init(&w, slots, 16, 10, 0, &space), 0);
	tmr_wheel_arm(&w, &links[0], 2000);
	tmr_wheel_arm(&w, &links[1], 2000);
	tmr_wheel_arm(&w, &links[0], 40000);		/* tick 40: two rotations on */
	tmr_wheel_arm(&w, &links[1], 5000);
	CU_ASSERT_EQUAL(w.armed, 2);
	CU_ASSERT_EQUAL(tmr_wheel_due_us(&w, &links[0]), 40ULL << 10);
	CU_ASSERT_EQUAL(tmr_wheel_expire(&w, 3000, due, 8), 0);	/* the old time passes */
	CU_ASSERT_EQUAL(tmr_wheel_expire(&w, 6000, due, 8), 1);
	CU_ASSERT_PTR_EQUAL(due[0], &links[1]);
	CU_ASSERT_EQUAL(tmr_wheel_expire(&w, 40000, due, 8), 0);	/* tick 39 */
	CU_ASSERT_EQUAL(tmr_wheel_expire(&w, 41000, due, 8), 1);
	CU_ASSERT_PTR_EQUAL(due[0], &links[0]);
	CU_ASSERT_EQUAL(w.armed, 0);
	tmr_wheel_arm(&w, &links[2], 60000);			/* earlier again: moved */
	tmr_wheel_arm(&w, &links[2], 45000);
	CU_ASSERT_EQUAL(tmr_wheel_expire(&w, 44000, due, 8), 0);
	CU_ASSERT_EQUAL(tmr_wheel_expire(&w, 46100, due, 8), 1);
}

static void
wheel_catches_up_after_a_long_stall_in_bounded_batches(void)
{
	struct tmr_wheel w;
	struct tmr_link *due[8];
	unsigned int n, total = 0;

	memset(links, 0, sizeof(links));
	tmr_space_init(&space, &links[0], sizeof(links[0]));
	CU_ASSERT_EQUAL(tmr_wheel_init(&w, slots, 16, 10, 0, &space), 0);
	for (unsigned int i = 0; i < 8; i++)
		tmr_wheel_arm(&w, &links[i], 1000 + 3000 * i);
	/* One call after ten rotations, taking at most three at a time. */
	while ((n = tmr_wheel_expire(&w, 200000, due, 3)) > 0) {
		CU_ASSERT(n <= 3);
		total += n;
	}
	CU_ASSERT_EQUAL(total, 8);
	CU_ASSERT_EQUAL(w.armed, 0);
}

static void
fifo_expires_in_insertion_order(void)
{
	struct tmr_fifo f;
	struct tmr_link *due[8];

	memset(links, 0, sizeof(links));
	tmr_space_init(&space, &links[0], sizeof(links[0]));
	CU_ASSERT_EQUAL(tmr_fifo_init(&f, 1000, &space), 0);
	tmr_fifo_push(&f, &links[0], 0);
	tmr_fifo_push(&f, &links[1], 100);
	tmr_fifo_push(&f, &links[2], 200);
	tmr_fifo_push(&f, &links[0], 300);		/* restart: moves to the tail */
	CU_ASSERT_EQUAL(f.count, 3);
	CU_ASSERT_EQUAL(tmr_fifo_expire(&f, 1150, due, 8), 1);
	CU_ASSERT_PTR_EQUAL(due[0], &links[1]);
	tmr_fifo_cancel(&f, &links[2]);
	CU_ASSERT_EQUAL(tmr_fifo_expire(&f, 1300, due, 8), 1);
	CU_ASSERT_PTR_EQUAL(due[0], &links[0]);
	CU_ASSERT_EQUAL(f.count, 0);
}

/* Links inside records of a size that is no power of two (like the connection record): each
 * is found again from its 32-bit id, in expiry order, on the wheel and on a FIFO. */
struct rec184 {
	uint8_t before[170];
	struct tmr_link l;
};

#define NRECS 97u
static struct rec184 recs[NRECS];

static void
links_in_odd_sized_records_are_found_by_id(void)
{
	struct tmr_space sp;
	struct tmr_wheel w;
	struct tmr_fifo f;
	struct tmr_link *due[8];
	unsigned int n, seen = 0;

	CU_ASSERT_EQUAL(sizeof(struct rec184), 184);
	memset(recs, 0, sizeof(recs));
	tmr_space_init(&sp, &recs[0].l, sizeof(recs[0]));
	CU_ASSERT_EQUAL(tmr_wheel_init(&w, slots, 16, 10, 0, &sp), 0);
	for (unsigned int i = 0; i < NRECS; i++)	/* 1 ms apart, in reverse */
		tmr_wheel_arm(&w, &recs[NRECS - 1 - i].l, 1000 * (uint64_t)(i + 1));
	for (uint64_t now = 0; now <= 200000; now += 1024) {
		while ((n = tmr_wheel_expire(&w, now, due, 8)) > 0)
			for (unsigned int k = 0; k < n; k++, seen++)
				CU_ASSERT_PTR_EQUAL(due[k], &recs[NRECS - 1 - seen].l);
	}
	CU_ASSERT_EQUAL(seen, NRECS);
	CU_ASSERT_EQUAL(tmr_fifo_init(&f, 500, &sp), 0);
	for (unsigned int i = 0; i < NRECS; i += 2)
		tmr_fifo_push(&f, &recs[i].l, i);
	tmr_fifo_cancel(&f, &recs[48].l);
	seen = 0;
	while ((n = tmr_fifo_expire(&f, 10000, due, 8)) > 0)
		for (unsigned int k = 0; k < n; k++, seen += 2) {
			seen += seen == 48 ? 2 : 0;
			CU_ASSERT_PTR_EQUAL(due[k], &recs[seen].l);
		}
	CU_ASSERT_EQUAL(f.count, 0);
	for (unsigned int i = 0; i < NRECS; i++)
		CU_ASSERT_FALSE(tmr_armed(&recs[i].l));
}

/* Times are kept in 32 bits: a wheel and a FIFO across the wrap behave as anywhere else; a timer
 * too far ahead is brought forward to 2^30 ticks; a FIFO refuses a timeout it cannot keep. */
static void
timers_cross_the_32_bit_wrap(void)
{
	uint64_t t0 = ((1ULL << 32) - 5) << 10;		/* five ticks before tick 2^32 */
	struct tmr_wheel w;
	struct tmr_fifo f;
	struct tmr_link *due[8];

	memset(links, 0, sizeof(links));
	tmr_space_init(&space, &links[0], sizeof(links[0]));
	CU_ASSERT_EQUAL(tmr_wheel_init(&w, slots, 16, 10, t0, &space), 0);
	tmr_wheel_arm(&w, &links[0], t0 + 10000);		/* tick 2^32 + 5 (rounded up) */
	CU_ASSERT_EQUAL(tmr_wheel_due_us(&w, &links[0]), ((1ULL << 32) + 5) << 10);
	tmr_wheel_arm(&w, &links[1], t0 + (1ULL << 50));	/* ~36 years */
	CU_ASSERT_EQUAL(tmr_wheel_due_us(&w, &links[1]), ((1ULL << 32) - 5 + (1ULL << 30)) << 10);
	CU_ASSERT_EQUAL(tmr_wheel_expire(&w, t0 + 9000, due, 8), 0);
	CU_ASSERT_EQUAL(tmr_wheel_expire(&w, t0 + 11000, due, 8), 1);
	CU_ASSERT_PTR_EQUAL(due[0], &links[0]);
	CU_ASSERT_EQUAL(tmr_wheel_expire(&w, t0 + 3600000000ULL, due, 8), 0);	/* an hour */
	CU_ASSERT(tmr_armed(&links[1]));

	CU_ASSERT_EQUAL(tmr_fifo_init(&f, 1ULL << 30, &space), -EINVAL);
	CU_ASSERT_EQUAL(tmr_fifo_init(&f, 1000, &space), 0);
	tmr_fifo_push(&f, &links[2], (1ULL << 32) - 100);
	CU_ASSERT_EQUAL(tmr_fifo_expire(&f, (1ULL << 32) + 899, due, 8), 0);
	CU_ASSERT_EQUAL(tmr_fifo_expire(&f, (1ULL << 32) + 900, due, 8), 1);
	CU_ASSERT_PTR_EQUAL(due[0], &links[2]);
}

static const struct test_case timer_cases[] = {
	TEST(wheel_never_fires_early_and_fires_in_time),
	TEST(wheel_cancel_and_rearm),
	TEST(wheel_rearm_later_keeps_its_new_time),
	TEST(wheel_catches_up_after_a_long_stall_in_bounded_batches),
	TEST(fifo_expires_in_insertion_order),
	TEST(links_in_odd_sized_records_are_found_by_id),
	TEST(timers_cross_the_32_bit_wrap),
	{ NULL, NULL },
};

int
suite_timer(void)
{
	return add_suite("timers", timer_cases);
}
