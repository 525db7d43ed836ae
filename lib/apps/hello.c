/* hello.c - the seed's tcp-server.js: on accept, write the greeting and end the connection. */
#include "apps.h"

#include <stddef.h>

static void
hello_accept(struct tcpe_sock *s)
{
	const struct tcpe_app_params *p = tcpe_params(s);

	/* socket.write('hello client'); socket.end(): data, then our FIN - we close first. */
	if (tcpe_send(s, p->greeting, p->greeting_len) != p->greeting_len) {
		tcpe_abort(s);
		return;
	}
	tcpe_close(s);
}

const struct tcpe_app app_hello = {
	.name = "hello",
	.on_accept = hello_accept,
};
