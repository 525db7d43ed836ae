/* echo.c - send back every byte received; close after the peer's FIN (RFC 862 over TCP). */
#include "apps.h"

static void
echo_data(struct tcpe_sock *s, const uint8_t *data, uint32_t len)
{
	/* The runtime shrinks our receive window as the send queue grows, so this only fails
	 * when the mbuf pool is exhausted; a reset then beats silently losing bytes. */
	if (tcpe_send(s, data, len) != len)
		tcpe_abort(s);
}

static void
echo_peer_fin(struct tcpe_sock *s)
{
	tcpe_close(s);	/* the FIN follows everything still queued */
}

const struct tcpe_app app_echo = {
	.name = "echo",
	.on_data = echo_data,
	.on_peer_fin = echo_peer_fin,
	.fin_with_data = true,
};
