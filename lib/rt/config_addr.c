/* config_addr.c - the addresses a configuration names: IPv4 and IPv6 prefixes, next hops, ADDR:PORT. */
#include "config.h"
#include "config_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* "198.18.0.1/24" */
int
config_parse_prefix(const char *s, uint32_t *ip, uint8_t *prefix)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	uint64_t p;
	struct in_addr a;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1 || config_parse_u64(slash + 1, false, &p) != 0 || p < 1 ||
	    p > 32 || a.s_addr == 0)
		return -EINVAL;
	*ip = a.s_addr;
	*prefix = (uint8_t)p;
	return 0;
}

/* "2001:2::1/64": a unicast address (not ::, multicast, loopback or IPv4-mapped), prefix 1-128. */
int
config_parse_prefix6(const char *s, uint8_t ip6[16], uint8_t *prefix)
{
	char buf[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	uint64_t p;
	uint8_t a[16];

	if (slash == NULL || (size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (inet_pton(AF_INET6, buf, a) != 1 || config_parse_u64(slash + 1, false, &p) != 0 ||
	    p < 1 || p > 128 || config_check_ip6(a) != 0)
		return -EINVAL;
	memcpy(ip6, a, 16);
	*prefix = (uint8_t)p;
	return 0;
}

int
config_check_ip6(const uint8_t a[16])
{
	static const uint8_t loop[16] = { [15] = 1 };
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (config_ip6_none(a) || a[0] == 0xff || memcmp(a, loop, 16) == 0 ||
	    memcmp(a, mapped, 12) == 0)
		return -EINVAL;
	return 0;
}

int
config_parse_hostport(const char *spec, uint32_t *ip, uint16_t *port)
{
	const char *colon = strrchr(spec, ':');
	char host[64];
	char *end;
	long p;

	if (colon == NULL || (size_t)(colon - spec) >= sizeof(host))
		return -EINVAL;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || p < 1 || p > 65535)
		return -EINVAL;
	if (host[0] == '\0')
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, ip) != 1)
		return -EINVAL;
	*port = (uint16_t)p;
	return 0;
}

int
config_parse_addr(const char *s, uint32_t *ip)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1 || a.s_addr == 0)
		return -EINVAL;
	*ip = a.s_addr;
	return 0;
}

/* fe80::/10 (RFC 4291 §2.5.6): IPv6 routers are usually named by these. */
bool
config_ip6_link_local(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* True when @p a and @p b share their first @p bits bits. */
bool
config_ip6_same_prefix(const uint8_t a[16], const uint8_t b[16], unsigned int bits)
{
	unsigned int whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ b[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}
