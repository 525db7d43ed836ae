/* discard.c - read and drop everything (RFC 863 over TCP); close after the peer's FIN. */
#include "apps.h"

static void
discard_accept(struct tcpe_sock *s)
{
	tcpe_set_idle_ms(s, tcpe_params(s)->idle_ms);
}

static void
discard_peer_fin(struct tcpe_sock *s)
{
	tcpe_close(s);
}

const struct tcpe_app app_discard = {
	.name = "discard",
	.on_accept = discard_accept,
	.on_peer_fin = discard_peer_fin,	/* no on_data: every byte is taken */
};
