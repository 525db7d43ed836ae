/* prometheus.h - the control core's small HTTP server: /metrics (Prometheus text format) and /stats.json. */
#ifndef TCPE_PROMETHEUS_H
#define TCPE_PROMETHEUS_H

#include <stdint.h>
#include <stdio.h>

#include "worker.h"

/**
 * Parse "ADDR:PORT" or ":PORT" (ADDR defaults to 127.0.0.1: loopback unless asked otherwise).
 * @return 0 with @p ip (network order) and @p port (host order) set, or -EINVAL.
 */
int metrics_parse_addr(const char *spec, uint32_t *ip, uint16_t *port);

#define METRICS_CLIENTS 8	/**< connections read concurrently; more wait in the backlog */
#define METRICS_REQ_MAX 4096	/**< request head bytes kept */

/** One client whose request head is being read. */
struct metrics_client {
	int fd;			/**< -1: free slot */
	uint64_t deadline_ms;	/**< drop the client if its request is not complete by then */
	size_t got;
	char req[METRICS_REQ_MAX + 1];
};

/** The control core's HTTP endpoint: a listening socket and requests being read. */
struct metrics_srv {
	int lfd;
	struct metrics_client cl[METRICS_CLIENTS];
};

/**
 * Listen on @p spec (non-blocking). Control core only.
 * @return the server, or NULL with a message written to @p err.
 */
struct metrics_srv *metrics_open(const char *spec, FILE *err);

/**
 * Accept new clients, read what has arrived (never blocking), answer complete requests, drop
 * clients idle past 5 s. Called from the control loop every few ms; never from a worker.
 * @p prev (n workers, then the total) taken at Unix time @p prev_time is the control core's
 * last periodic snapshot; /stats.json carries it as "prev" so clients get per-second rates
 * whatever their own polling cadence. NULL when there is none yet.
 */
void metrics_poll(struct metrics_srv *m, struct worker *const *workers, unsigned int n,
		  struct tcpe_stats *scratch, const struct tcpe_stats *prev, double prev_time);

/** Close the server and its clients. */
void metrics_close(struct metrics_srv *m);

/** Write the Prometheus text exposition of @p snap (n workers, then the total) to @p f. */
void metrics_write_prometheus(FILE *f, struct worker *const *workers, unsigned int n,
			      const struct tcpe_stats *snap);

#endif
