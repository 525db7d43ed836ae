/* apps.c - the table of built-in applications, in enum tcpe_app_id order. */
#include "apps.h"

#include <stddef.h>
#include <string.h>

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
	return id < APP__COUNT ? builtin[id] : NULL;
}

int
apps_find(const char *name)
{
	for (unsigned int a = 0; a < APP__COUNT; a++)
		if (strcmp(builtin[a]->name, name) == 0)
			return (int)a;
	return -1;
}
