/* apps.c - the table of built-in applications, in enum tcpe_app_id order. */
#include "apps.h"

#include <stddef.h>

#include "client.h"
#include "config.h"

static const struct tcpe_app *const builtin[APP__COUNT] = {
	[APP_HELLO] = &app_hello,
	[APP_ECHO] = &app_echo,
	[APP_DISCARD] = &app_discard,
	[APP_HTTP] = &app_http,
	[APP_BULK] = &app_bulk,
};

const struct tcpe_app *
apps_get(unsigned int id)
{
	if (id == APP_CLIENT)
		return &app_client;
	return id < APP__COUNT ? builtin[id] : NULL;
}
