/* bulk.c - send --bulk-bytes of the body pattern on accept (or until the peer closes), then close: download throughput. */
#include "apps.h"

/* Bytes kept queued ahead of the peer; each top-up is a multiple of the pattern's period (32),
 * so the stream reads pattern[i % 32] from start to end. */
#define BULK_QUEUE (128u * 1024)
#define BULK_PERIOD 32	/* every append restarts the template: keep appends whole periods */

struct bulk_conn {
	uint64_t left;		/**< bytes not yet queued */
};

static void
bulk_fill(struct tcpe_sock *s)
{
	struct bulk_conn *b = tcpe_app_state(s);
	uint32_t queued = tcpe_sendq_bytes(s);
	uint64_t n;

	if (b->left == 0 || queued >= BULK_QUEUE / 2)
		return;
	n = (BULK_QUEUE - queued) & ~(uint64_t)(BULK_PERIOD - 1);	/* whole periods */
	if (n >= b->left)
		n = b->left;	/* the last top-up: whatever remains */
	n = tcpe_send_body(s, n);
	b->left -= n;
	if (b->left == 0)
		tcpe_close(s);	/* the FIN follows the last byte */
	else if (n == 0)
		tcpe_abort(s);	/* no mbufs at all: a reset beats a silent stall */
}

static void
bulk_accept(struct tcpe_sock *s)
{
	struct bulk_conn *b = tcpe_app_state(s);

	b->left = tcpe_params(s)->bulk_bytes;
	if (b->left == 0)
		tcpe_close(s);
	else
		bulk_fill(s);
}

static void
bulk_acked(struct tcpe_sock *s, uint32_t bytes)
{
	(void)bytes;
	bulk_fill(s);
}

static void
bulk_peer_fin(struct tcpe_sock *s)
{
	struct bulk_conn *b = tcpe_app_state(s);

	b->left = 0;	/* the reader is gone: stop after what is queued */
	tcpe_close(s);
}

const struct tcpe_app app_bulk = {
	.name = "bulk",
	.on_accept = bulk_accept,
	.on_acked = bulk_acked,
	.on_peer_fin = bulk_peer_fin,
	.fin_with_data = true,
};
