/* fake_mbuf.h - an mbuf laid out by hand with room for a frame, for the packet tests that run without a mempool or EAL. */
#ifndef TCPE_TEST_FAKE_MBUF_H
#define TCPE_TEST_FAKE_MBUF_H

#include <string.h>

#include <rte_mbuf.h>

/** An mbuf header and its buffer (headroom, then 2048 bytes). */
struct fake_mbuf {
	struct rte_mbuf m;
	uint8_t buf[2048 + RTE_PKTMBUF_HEADROOM];
};

/** Empty @p f as a fresh single-segment mbuf with the usual headroom; @return its mbuf. */
static inline struct rte_mbuf *
fake_mbuf_fresh(struct fake_mbuf *f)
{
	memset(f, 0, sizeof(*f));
	f->m.buf_addr = f->buf;
	f->m.buf_len = sizeof(f->buf);
	f->m.data_off = RTE_PKTMBUF_HEADROOM;
	f->m.nb_segs = 1;
	return &f->m;
}

#endif
