/* hello.c - the seed's tcp-server.js: on accept, write the greeting and end the connection. */
#include "apps.h"

#include <stddef.h>

struct hello_conn {
	uint32_t sent;		/**< greeting bytes queued so far */
};
_Static_assert(sizeof(struct hello_conn) <= 32, "fits the per-connection app state");

/* socket.write('hello client'); socket.end(): data, then our FIN - we close first. A send
 * budget that is used up only delays the greeting (on_writable brings us back). */
static void
hello_more(struct tcpe_sock *s)
{
	const struct tcpe_app_params *p = tcpe_params(s);
	struct hello_conn *h = tcpe_app_state(s);

	h->sent += tcpe_send(s, p->greeting + h->sent, p->greeting_len - h->sent);
	if (h->sent == p->greeting_len)
		tcpe_close(s);
}

const struct tcpe_app app_hello = {
	.name = "hello",
	.has_state = true,
	.on_accept = hello_more,
	.on_writable = hello_more,
};
