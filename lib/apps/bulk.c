/* bulk.c - send --bulk-bytes of the body pattern on accept (or until the peer closes), then close: download throughput. */
#include "apps.h"

/* The stream reads pattern[i % 32] from start to end: each top-up continues the body where the
 * one before stopped. As much is kept queued as the connection's send budget (tcpe_send_budget(),
 * which grows with the window) takes, as an application writing until its socket buffer is full
 * would: on a long or lossy path what is queued bounds what can be in flight (holes included). */

struct bulk_conn {
	uint64_t left;		/**< bytes not yet queued */
};

static void
bulk_fill(struct tcpe_sock *s)
{
	struct bulk_conn *b = tcpe_app_state(s);
	uint32_t queued = tcpe_sendq_bytes(s), cap = tcpe_send_budget(s);
	uint64_t n;

	if (b->left == 0 || queued >= cap / 2)	/* topped up by halves: fewer, larger calls */
		return;
	n = cap - queued;
	if (n >= b->left)
		n = b->left;	/* the last top-up: whatever remains */
	/* cut short by a send budget: on_writable resumes */
	n = tcpe_send_body(s, n, tcpe_params(s)->bulk_bytes - b->left);
	b->left -= n;
	if (b->left == 0)
		tcpe_close(s);	/* the FIN follows the last byte */
}

static void
bulk_accept(struct tcpe_sock *s)
{
	struct bulk_conn *b = tcpe_app_state(s);

	b->left = tcpe_params(s)->bulk_bytes;
	tcpe_set_idle_ms(s, tcpe_params(s)->idle_ms);
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
bulk_writable(struct tcpe_sock *s)
{
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
	.has_state = true,
	.on_accept = bulk_accept,
	.on_acked = bulk_acked,
	.on_writable = bulk_writable,
	.on_peer_fin = bulk_peer_fin,
	.fin_with_data = true,
};
