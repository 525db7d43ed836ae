/* conn_app.c - the application interface (app.h) over the connection table's records. */
#include "conn.h"

#include "conn_priv.h"

uint32_t
tcpe_send(struct tcpe_sock *s, const void *data, uint32_t len)
{
	struct conn *c = conn_of_sock(s);
	uint32_t n;

	if (!tcp_can_send(&c->tcb))
		return 0;
	n = sndq_append(&c->sndq, c->tab->mp, data, len);
	tcp_send_queued(&c->tcb, n);
	return n;
}

uint32_t
tcpe_send_body(struct tcpe_sock *s, uint64_t len)
{
	struct conn *c = conn_of_sock(s);
	struct conn_table *tab = c->tab;
	uint32_t n;

	if (!tcp_can_send(&c->tcb) || len > UINT32_MAX)
		return 0;
	/* A small body is cheaper copied behind what is queued (usually the header, one mbuf for
	 * the whole response) than referenced: no second mbuf and no refcount to free at the ACK. */
	if (len <= SNDQ_COPY_BODY_MAX)
		n = sndq_append(&c->sndq, tab->mp, tab->body, (uint32_t)len);
	else
		n = sndq_append_ref(&c->sndq, tab->mp, tab->body, TCPE_BODY_TEMPLATE,
				    &tab->body_shinfo, (uint32_t)len);
	tcp_send_queued(&c->tcb, n);
	return n;
}

void
tcpe_set_idle_ms(struct tcpe_sock *s, uint32_t ms)
{
	struct conn *c = conn_of_sock(s);

	tcp_set_idle(&c->tab->tcp, &c->tcb, ms * 1000);
}

struct tcpe_stats *
tcpe_stats(struct tcpe_sock *s)
{
	return conn_of_sock(s)->tab->st;
}

uint64_t
tcpe_now_us(const struct tcpe_sock *s)
{
	return ((const struct conn *)s)->tab->tcp.now;
}

int64_t
tcpe_wall_offset_us(const struct tcpe_sock *s)
{
	return ((const struct conn *)s)->tab->wall_off_us;
}

void *
tcpe_app_worker(struct tcpe_sock *s)
{
	return conn_of_sock(s)->tab->app_scratch;
}

uint32_t
tcpe_sendq_bytes(const struct tcpe_sock *s)
{
	return ((const struct conn *)s)->sndq.bytes;
}

void
tcpe_close(struct tcpe_sock *s)
{
	struct conn *c = conn_of_sock(s);

	if (conn_app(c)->fin_with_data)
		c->tcb.flags |= TCB_FIN_DATA;
	tcp_close(&c->tab->tcp, &c->tcb);
}

void
tcpe_abort(struct tcpe_sock *s)
{
	struct conn *c = conn_of_sock(s);

	c->aborted = 1;
	tcp_abort(&c->tab->tcp, &c->tcb);
}

void *
tcpe_app_state(struct tcpe_sock *s)
{
	return conn_of_sock(s)->app_state;
}

void *
tcpe_app_ctx(struct tcpe_sock *s)
{
	struct conn *c = conn_of_sock(s);

	return c->tab->app_ctx[c->app];
}

const struct tcp_tuple *
tcpe_sock_tuple(const struct tcpe_sock *s)
{
	return &((const struct conn *)s)->tcb.tuple;
}

bool
tcpe_sock_time_wait(const struct tcpe_sock *s)
{
	return ((const struct conn *)s)->time_wait;
}

const struct tcpe_app_params *
tcpe_params(const struct tcpe_sock *s)
{
	return &((const struct conn *)s)->tab->params;
}
