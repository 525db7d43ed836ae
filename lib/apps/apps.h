/* apps.h - the built-in applications, indexed by enum tcpe_app_id. */
#ifndef TCPE_APPS_H
#define TCPE_APPS_H

#include "app.h"

extern const struct tcpe_app app_hello;
extern const struct tcpe_app app_echo;
extern const struct tcpe_app app_discard;
extern const struct tcpe_app app_http;
extern const struct tcpe_app app_bulk;

/** Built-in application @p id (enum tcpe_app_id), or NULL. */
const struct tcpe_app *apps_get(unsigned int id);

#endif
