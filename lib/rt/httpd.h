/* httpd.h - the control core's small HTTP server: /metrics (Prometheus text format), /stats.json and the live dashboard. */
#ifndef TCPE_HTTPD_H
#define TCPE_HTTPD_H

#include <stdint.h>
#include <stdio.h>

#include "worker.h"

#define HTTPD_CLIENTS 64		/**< connections served at once; the oldest idle one makes room */
#define HTTPD_REQ_MAX 4096		/**< request head bytes kept */
#define HTTPD_READ_TIMEOUT_MS 5000	/**< a request head must be complete by then */
#define HTTPD_WRITE_TIMEOUT_MS 10000	/**< a response must be taken by then */
#define HTTPD_ACCEPT_BURST 16		/**< connections accepted per poll at most */

/** One client: its request head being read, then its response being written. */
struct httpd_client {
	int fd;			/**< -1: free slot */
	uint64_t since_ms;	/**< accepted at */
	uint64_t deadline_ms;	/**< dropped if not done by then */
	size_t got;		/**< request bytes */
	char *out;		/**< the whole response, or NULL while reading */
	size_t out_len, out_done;
	char req[HTTPD_REQ_MAX + 1];
};

/** What the responses show: the workers, and the control core's last periodic snapshot. */
struct httpd_view {
	struct worker *const *workers;
	unsigned int n;
	struct tcpe_stats *scratch;		/**< n + 1 entries for a fresh snapshot */
	const struct tcpe_stats *prev;		/**< the last report's snapshot, or NULL */
	double prev_time;			/**< its Unix time */
};

/** The server: a listening socket and its clients. Control core only. */
struct httpd {
	int lfd;
	uint64_t served, evicted, timeouts;
	struct httpd_client cl[HTTPD_CLIENTS];
};

/**
 * Listen on @p spec ("ADDR:PORT" or ":PORT", loopback by default), non-blocking.
 * @return the server, or NULL with a message written to @p err.
 */
struct httpd *httpd_open(const char *spec, FILE *err);

/**
 * One step, never blocking and bounded: accept waiting connections (evicting the oldest client
 * still reading when every slot is taken), read what has arrived, answer complete requests,
 * write what each socket takes, drop clients past their deadline. Called from the control loop
 * every few ms, so nothing a client does can delay reports, --duration or SIGINT.
 */
void httpd_poll(struct httpd *h, const struct httpd_view *v);

/** Close the server and its clients. */
void httpd_close(struct httpd *h);

/** Write the Prometheus text exposition of @p snap (n workers, then the total) to @p f. */
void httpd_write_prometheus(FILE *f, struct worker *const *workers, unsigned int n,
			    const struct tcpe_stats *snap);

#endif
