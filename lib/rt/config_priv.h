/* config_priv.h - the key table shared by the parser (config.c) and its documentation (config_doc.c). */
#ifndef TCPE_CONFIG_PRIV_H
#define TCPE_CONFIG_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "config.h"

enum ktype { K_NUM, K_SIZE, K_STR, K_ENUM };

/** One setting: its INI section and key (also its --long-option), type, bounds and default. */
struct key {
	const char *name;
	const char *section;
	enum ktype type;
	size_t off;
	size_t size;		/**< K_STR: buffer size; K_SIZE: 1 for a count (COUNT) */
	uint64_t min, max;
	const char *def;
	const char *help;
	const char *const *choices;	/**< K_ENUM: the names, NULL-terminated; stored as the index */
};

/** Every key of the INI file, which is also a --long-option, in --help order. */
extern const struct key config_keys[];
/** How many config_keys there are. */
extern const unsigned int config_nkeys;

/** "hello, echo, discard, http, bulk" (the applications' names) into @p buf; returns @p buf. */
const char *config_app_list(char *buf, size_t n);

/** Strict unsigned decimal, with a K/M/G (binary) suffix when @p suffix. @return 0 or -EINVAL. */
int config_parse_u64(const char *s, bool suffix, uint64_t *out);

/** A dotted-quad IPv4 address into @p ip (network order). @return 0 or -EINVAL. */
int config_parse_addr(const char *s, uint32_t *ip);

/** "198.18.0.1/24" into @p ip (network order) and @p prefix (1-32). @return 0 or -EINVAL. */
int config_parse_prefix(const char *s, uint32_t *ip, uint8_t *prefix);

/** "2001:2::1/64" into @p ip6 and @p prefix (1-128), a unicast address (config_check_ip6()).
 * @return 0 or -EINVAL. */
int config_parse_prefix6(const char *s, uint8_t ip6[16], uint8_t *prefix);

/** 0 when @p a (16 bytes) can be an IPv6 address of ours or a next hop: unicast, not ::, the
 * loopback or IPv4-mapped; else -EINVAL. */
int config_check_ip6(const uint8_t a[16]);

/** Client mode's options (--connect given): checked, parsed into @p cfg's derived fields.
 * @return 0, or -EINVAL with one message on @p err. */
int config_check_client(struct tcpe_config *cfg, FILE *err);

#endif
