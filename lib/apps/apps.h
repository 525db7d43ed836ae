/* apps.h - the built-in server applications and their ids: the one list config, the connection table and --help use. */
#ifndef TCPE_APPS_H
#define TCPE_APPS_H

#include "app.h"

/** Built-in applications (DESIGN.md "Applications"), in the order of apps_get(). */
enum tcpe_app_id { APP_HELLO, APP_ECHO, APP_DISCARD, APP_HTTP, APP_BULK, APP__COUNT };

extern const struct tcpe_app app_hello;
extern const struct tcpe_app app_echo;
extern const struct tcpe_app app_discard;
extern const struct tcpe_app app_http;
extern const struct tcpe_app app_bulk;

/** Built-in application @p id (enum tcpe_app_id), or NULL when out of range. Any core. */
const struct tcpe_app *apps_get(unsigned int id);

/** The id of the built-in application called @p name, or -1. Any core. */
int apps_find(const char *name);

#endif
