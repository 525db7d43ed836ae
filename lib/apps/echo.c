/* echo.c - send back every byte received; close after the peer's FIN (RFC 862 over TCP). */
#include "apps.h"

static void
echo_accept(struct tcpe_sock *s)
{
	tcpe_set_idle_ms(s, tcpe_params(s)->idle_ms);
}

static uint32_t
echo_data(struct tcpe_sock *s, const uint8_t *data, uint32_t len)
{
	/* What the send budget does not take now stays with tcpe, counted against our receive
	 * window, and comes back after on_writable: the reader paces the writer. */
	return tcpe_send(s, data, len);
}

static void
echo_peer_fin(struct tcpe_sock *s)
{
	tcpe_close(s);	/* the FIN follows everything still queued */
}

const struct tcpe_app app_echo = {
	.name = "echo",
	.on_accept = echo_accept,
	.on_data = echo_data,
	.on_peer_fin = echo_peer_fin,
	.fin_with_data = true,
};
