/* config_client.c - client mode's options checked and parsed: --connect, --source-ips, --request, --mix, --arrivals. */
#include "config.h"
#include "config_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

/* --source-ips FIRST[-LAST]: addresses of port 0's subnet that tcpe answers ARP for and opens
 * from, so one server port can take more than ~64 K connections from us. */
static int
check_sources(struct tcpe_config *cfg, FILE *err)
{
	char buf[64], *dash;
	uint32_t lo, hi, mask;
	uint8_t prefix = cfg->ports[0].prefix;

	snprintf(buf, sizeof(buf), "%s", cfg->source_ips);
	dash = strchr(buf, '-');
	if (dash != NULL)
		*dash = '\0';
	if (config_parse_addr(buf, &lo) != 0 || (dash != NULL ? config_parse_addr(dash + 1, &hi) : (hi = lo, 0)) != 0 ||
	    ntohl(hi) < ntohl(lo)) {
		fprintf(err, "tcpe: --source-ips: '%s' is not FIRST[-LAST] (e.g. 198.18.0.10-198.18.0.25)\n",
			cfg->source_ips);
		return -EINVAL;
	}
	if (ntohl(hi) - ntohl(lo) >= CLIENT_MAX_SOURCES) {
		fprintf(err, "tcpe: --source-ips: '%s' has more than %u addresses\n", cfg->source_ips,
			CLIENT_MAX_SOURCES);
		return -EINVAL;
	}
	mask = htonl(prefix ? ~0u << (32 - prefix) : 0);
	if (cfg->ports[0].ip == 0 || ((lo ^ cfg->ports[0].ip) & mask) != 0 ||
	    ((hi ^ cfg->ports[0].ip) & mask) != 0) {
		fprintf(err, "tcpe: --source-ips: '%s' is not inside port 0's subnet (--ip)\n",
			cfg->source_ips);
		return -EINVAL;
	}
	cfg->source_lo = ntohl(lo);
	cfg->source_n = ntohl(hi) - ntohl(lo) + 1;
	return 0;
}

/* --connect ADDR:PORT and --request KIND. */
/* A request target: origin-form, printable, no spaces (it goes into the request line as is). */
static bool
path_ok(const char *p)
{
	if (p[0] != '/')
		return false;
	for (; *p != '\0'; p++)
		if (*p <= ' ' || *p > '~')
			return false;
	return true;
}

/* --mix PATH[@WEIGHT],...: up to 8 targets for --request http. */
static int
check_mix(struct tcpe_config *cfg, FILE *err)
{
	char buf[sizeof(cfg->mix)], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", cfg->mix);
	cfg->mix_n = 0;
	for (char *e = strtok_r(buf, ",", &save); e != NULL; e = strtok_r(NULL, ",", &save)) {
		char *at = strchr(e, '@');
		uint64_t w = 1;

		if (at != NULL) {
			*at = '\0';
			if (config_parse_u64(at + 1, false, &w) != 0 || w == 0 || w > 1000000) {
				fprintf(err, "tcpe: --mix: weight '%s' of '%s' is not 1..1000000\n",
					at + 1, e);
				return -EINVAL;
			}
		}
		if (!path_ok(e) || strlen(e) >= sizeof(cfg->mix_path[0])) {
			fprintf(err, "tcpe: --mix: '%s' is not a path (/..., printable, no spaces, "
				"under %zu bytes)\n", e, sizeof(cfg->mix_path[0]));
			return -EINVAL;
		}
		if (cfg->mix_n == RTE_DIM(cfg->mix_path)) {
			fprintf(err, "tcpe: --mix: more than %zu targets\n", RTE_DIM(cfg->mix_path));
			return -EINVAL;
		}
		snprintf(cfg->mix_path[cfg->mix_n], sizeof(cfg->mix_path[0]), "%s", e);
		cfg->mix_weight[cfg->mix_n++] = (uint32_t)w;
	}
	if (cfg->mix_n == 0 || cfg->client_kind != CLIENT_HTTP) {
		fprintf(err, "tcpe: --mix: %s\n", cfg->mix_n == 0 ? "no target given" :
			"only for --request http");
		return -EINVAL;
	}
	return 0;
}

int
config_check_client(struct tcpe_config *cfg, FILE *err)
{
	char addr[64], *colon, *end;
	unsigned long port;
	bool bad;

	snprintf(addr, sizeof(addr), "%s", cfg->connect);
	colon = strrchr(addr, ':');
	if (colon == NULL) {
		fprintf(err, "tcpe: --connect: '%s' is not ADDR:PORT (e.g. 198.18.0.2:80 or "
			"[2001:2::1]:80)\n", cfg->connect);
		return -EINVAL;
	}
	*colon = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	cfg->client_v6 = addr[0] == '[';
	if (cfg->client_v6) {	/* [2001:2::1]:80, as URLs write it (RFC 3986 §3.2.2) */
		bad = colon[-1] != ']';
		if (!bad) {
			colon[-1] = '\0';
			bad = inet_pton(AF_INET6, addr + 1, cfg->client_ip6) != 1 ||
			      config_check_ip6(cfg->client_ip6) != 0;
		}
	} else {
		bad = config_parse_addr(addr, &cfg->client_ip) != 0;
	}
	if (bad || colon[1] == '\0' || *end != '\0' || errno != 0 || port == 0 || port > 65535) {
		fprintf(err, "tcpe: --connect: '%s' is not ADDR:PORT (e.g. 198.18.0.2:80 or "
			"[2001:2::1]:80)\n", cfg->connect);
		return -EINVAL;
	}
	if (cfg->client_v6 && config_ip6_none(cfg->ports[0].ip6)) {
		fprintf(err, "tcpe: --connect: an IPv6 server needs an IPv6 address on port 0 "
			"(--ip6)\n");
		return -EINVAL;
	}
	if (cfg->client_v6 && cfg->source_ips[0] != '\0') {
		fprintf(err, "tcpe: --source-ips: IPv4 sources only (the server is IPv6)\n");
		return -EINVAL;
	}
	cfg->client_port = htons((uint16_t)port);
	if (cfg->source_ips[0] != '\0' && check_sources(cfg, err) != 0)
		return -EINVAL;
	if (strcmp(cfg->request, "http") == 0 || strncmp(cfg->request, "http:/", 6) == 0) {
		cfg->client_kind = CLIENT_HTTP;
		for (const char *c = cfg->request + 4; *c != '\0'; c++) {
			if (*c <= ' ' || *c > '~') {
				fprintf(err, "tcpe: --request: the path in '%s' has a space or a "
					"control character\n", cfg->request);
				return -EINVAL;
			}
		}
	} else if (strcmp(cfg->request, "hello") == 0) {
		cfg->client_kind = CLIENT_HELLO;
	} else if (strcmp(cfg->request, "bulk") == 0) {
		cfg->client_kind = CLIENT_BULK;
	} else if (strncmp(cfg->request, "echo:", 5) == 0 &&
		   config_parse_u64(cfg->request + 5, true, &cfg->client_echo_bytes) == 0 &&
		   cfg->client_echo_bytes > 0 && cfg->client_echo_bytes <= (1ULL << 30)) {
		cfg->client_kind = CLIENT_ECHO;
	} else {
		fprintf(err, "tcpe: --request: '%s' is not http[:PATH], hello, echo:BYTES or bulk\n",
			cfg->request);
		return -EINVAL;
	}
	if (cfg->mix[0] != '\0' && check_mix(cfg, err) != 0)
		return -EINVAL;
	if ((cfg->arrivals != ARRIVALS_OFF || cfg->ramp_s > 0) &&
	    (cfg->rate == 0 || cfg->concurrency > 0)) {
		fprintf(err, "tcpe: --%s: schedules --rate's connections: give --rate N (and no "
			"--concurrency)\n", cfg->arrivals != ARRIVALS_OFF ? "arrivals" : "ramp");
		return -EINVAL;
	}
	return 0;
}

