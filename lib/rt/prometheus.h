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

/**
 * Listen on @p spec (non-blocking). Control core only.
 * @return the socket, or -errno (message written to @p err).
 */
int metrics_open(const char *spec, FILE *err);

/**
 * Serve every pending request on @p fd, each to completion with short timeouts, then return.
 * Called from the control loop; never from a worker.
 */
void metrics_poll(int fd, struct worker *const *workers, unsigned int n, struct tcpe_stats *scratch);

/** Write the Prometheus text exposition of @p snap (n workers, then the total) to @p f. */
void metrics_write_prometheus(FILE *f, struct worker *const *workers, unsigned int n,
			      const struct tcpe_stats *snap);

#endif
