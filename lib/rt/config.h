/* config.h - tcpe's configuration: one key table for the INI file and the command line, validated up front. */
#ifndef TCPE_CONFIG_H
#define TCPE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "apps.h"

#define TCPE_MAX_PORTS 4
#define TCPE_MAX_LISTEN 16
#define TCPE_GREETING_MAX 1024
#define CLIENT_MAX_SOURCES 4096	/**< --source-ips addresses at most */

/** Software steering between workers (--steer). */
enum tcpe_steer { STEER_AUTO, STEER_ON, STEER_OFF };

struct tcpe_port_cfg {
	uint32_t ip;		/**< network order; 0 = not configured */
	uint8_t prefix;
	uint32_t gateway;	/**< network order; 0 = none */
	uint16_t vlan;		/**< 802.1Q VLAN ID (1..4094); 0 = untagged */
	uint8_t ip6[16];	/**< IPv6 address (--ip6, ip6 =); all zero = none */
	uint8_t prefix6;
	uint8_t gateway6[16];	/**< IPv6 next hop (--gateway6); all zero = none */
};

/** True when @p a (16 bytes) is the unspecified address ::, i.e. not configured. */
static inline bool
config_ip6_none(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

struct tcpe_listen {
	uint16_t port;		/**< host order */
	uint8_t app;		/**< enum tcpe_app_id (lib/apps) */
};

/** Everything tcpe is told. Filled by config_parse(); read-only once workers start. */
struct tcpe_config {
	struct tcpe_port_cfg ports[TCPE_MAX_PORTS];
	struct tcpe_listen listen[TCPE_MAX_LISTEN];
	unsigned int nlisten;
	char greeting[TCPE_GREETING_MAX];
	uint64_t http_body;
	uint64_t http_max_bytes;
	uint64_t http_max_header;
	uint64_t http_idle_ms;
	uint64_t http_work_ns;
	uint64_t app_slice_us;
	uint64_t rx_coalesce_us;
	uint64_t bulk_bytes;
	uint64_t max_conns;	/**< connection records per worker */
	uint64_t mbufs;		/**< mbufs per NUMA socket for sending (send queues, frames) */
	uint64_t rx_mbufs;	/**< mbufs per NUMA socket for receiving (0: computed) */
	uint64_t rx_desc;	/**< RX descriptors asked for per queue (the driver may adjust) */
	uint64_t tx_desc;	/**< TX descriptors asked for per queue (the driver may adjust) */
	uint64_t stats_interval; /**< seconds; 0 = no console report */
	char stats_json[256];
	char summary_json[256];	/**< --summary-json: written at exit */
	char prometheus[64];
	uint64_t trace;
	uint64_t duration;	/**< seconds; 0 = until a signal */
	/* TCP */
	uint64_t mss;
	uint64_t rcv_wnd;
	uint64_t sndbuf;
	uint64_t sndbuf_max;	/**< the send budget grows with cwnd up to this (conn_app.c) */
	uint64_t rto_init_ms;
	uint64_t rto_min_ms;
	uint64_t rto_max_ms;
	uint64_t synack_retries;
	uint64_t data_retries;
	uint64_t challenge_ack_limit;
	uint64_t time_wait_ms;
	uint64_t fin_wait2_ms;
	uint64_t delack_ms;
	uint64_t syn_backlog;
	uint64_t cc;		/**< enum tcp_cc (--cc newreno|cubic) */
	uint64_t steer;		/**< enum tcpe_steer (--steer auto|on|off) */
	/* client mode */
	char connect[64];	/**< ADDR:PORT, or empty (no client) */
	char request[128];	/**< http[:PATH] | hello | echo:BYTES | bulk */
	char mix[512];		/**< --mix PATH[@WEIGHT],... as given */
	uint8_t mix_n;		/**< its targets (0: none; the path of --request) */
	uint32_t mix_weight[8];	/**< each target's weight */
	char mix_path[8][128];	/**< each target's path */
	uint64_t pipeline;	/**< http: requests in flight per connection */
	uint64_t rate;		/**< new connections per second over all workers (0: as fast as possible) */
	uint64_t concurrency;	/**< connections kept open (0: one request per connection, --rate) */
	uint64_t arrivals;	/**< enum client_arrivals (--arrivals) */
	uint64_t ramp_s;	/**< --ramp: seconds over which --rate rises from 0 */
	uint64_t requests_per_conn;
	char source_ips[64];	/**< FIRST[-LAST], or empty (port 0's --ip) */
	uint32_t source_lo;	/**< from source_ips, host order */
	uint32_t source_n;	/**< addresses in source_ips (0: none given) */
	uint32_t client_ip;	/**< from connect, network order (0 for an IPv6 server) */
	bool client_v6;		/**< --connect [ADDR6]:PORT: the server is client_ip6 */
	uint8_t client_ip6[16];
	uint16_t client_port;	/**< network order */
	uint8_t client_kind;	/**< enum client_kind */
	uint64_t client_echo_bytes;
	uint64_t time_wait_max;
	uint64_t syncookies;
	uint64_t init_cwnd;
	uint64_t ooo_pkts;
	uint64_t ooo_max_age_ms;	/**< out-of-order data whose hole does not move is given up */
	uint64_t rcv_hold_pkts;	/**< received packets held per worker for apps not reading */
	uint64_t max_orphans;	/**< per worker (0 in the file: max_conns / 4) */
	uint64_t orphan_retries;
	uint64_t idle_ms;	/**< echo, discard, bulk: close when idle (0: never) */
	uint64_t keepalive_s;
	uint64_t keepalive_intvl_s;
	uint64_t keepalive_probes;
	uint64_t wscale;
	uint64_t timestamps;
	uint64_t sack;
	char config_file[256];
};

/** What each client connection does (--request). */
enum client_kind { CLIENT_HTTP, CLIENT_HELLO, CLIENT_ECHO, CLIENT_BULK };

/** How --rate schedules new connections (--arrivals): as a closed schedule that skips what a
 * stall missed (the default), or open-loop at constant or Poisson (exponential) intervals. */
enum client_arrivals { ARRIVALS_OFF, ARRIVALS_CONSTANT, ARRIVALS_POISSON };

/** Exit status for bad input (DESIGN.md: one message naming the problem, status 2). */
#define TCPE_EXIT_USAGE 2

/**
 * Parse tcpe's own options (the part of argv after "--") and the INI file they name.
 * Command-line values override the file. Writes one message naming the problem to @p err.
 *
 * @return 0, -EINVAL on bad input (message written), or 1 when --help or --version was printed (to stdout).
 *         Call before rte_eal_init(): nothing here touches DPDK state.
 */
int config_parse(struct tcpe_config *cfg, int argc, char **argv, FILE *err);

/** Print the usage text (options with their defaults) to @p out. */
void config_usage(FILE *out, const char *prog);

/** Print "tcpe VERSION (built with DPDK X, running Y)" to @p out. */
void config_version(FILE *out);

/** Write @p s as a JSON string (quoted, escaped) to @p out. */
void config_json_string(FILE *out, const char *s);

/** Write every key with its effective value, the ports and the listeners as one JSON object. */
void config_json(const struct tcpe_config *cfg, FILE *out);

/** One option as --help, the man page and shell completion describe it (from the key table). */
struct config_opt_doc {
	const char *name;		/**< long option without its dashes ("max-conns") */
	char short_name;		/**< 'c', 'h' or 0 */
	const char *arg;		/**< "FILE", "N", "BYTES"...; NULL for an option without a value */
	const char *help;		/**< one line */
	const char *section;		/**< INI section holding the same key; NULL if command line only */
	const char *def;		/**< default as text; NULL or "" for none */
	const char *const *choices;	/**< the values it takes, NULL-terminated; NULL if open */
};

/**
 * Describe option @p i, in --help order (the fixed options first, then the key table).
 * @return false once @p i is past the last option.
 */
bool config_opt_doc(unsigned int i, struct config_opt_doc *d);

/** Write every key with its effective value as "key = value" lines (for logs and telemetry). */
void config_dump(const struct tcpe_config *cfg, FILE *out);

/** Name of an application id ("hello"); "?" when out of range. */
const char *config_app_name(unsigned int app);

/** True when @p a is link-local (fe80::/10, RFC 4291 §2.5.6): IPv6 routers usually are. */
bool config_ip6_link_local(const uint8_t a[16]);

/** True when @p a and @p b share their first @p bits bits. */
bool config_ip6_same_prefix(const uint8_t a[16], const uint8_t b[16], unsigned int bits);

/**
 * Parse "ADDR:PORT" or ":PORT" (ADDR defaults to 127.0.0.1: loopback unless asked otherwise),
 * as --prometheus takes it. @return 0 with @p ip (network order) and @p port (host order) set,
 * or -EINVAL.
 */
int config_parse_hostport(const char *spec, uint32_t *ip, uint16_t *port);

#endif
