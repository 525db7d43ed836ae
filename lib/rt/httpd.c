/* httpd.c - the control core's HTTP endpoint: /metrics (Prometheus), /stats.json and / (the live dashboard), non-blocking with a buffer per client. */
#include "httpd.h"

#include "client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "config.h"
#include "port.h"
#include "stats_view.h"

/* lib/rt/web/dashboard.html, embedded at build time */
extern const char tcpe_dashboard_html[];
extern const size_t tcpe_dashboard_html_len;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct httpd *
httpd_open(const char *spec, FILE *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct httpd *h;
	uint16_t port;
	int fd, one = 1;

	if (config_parse_hostport(spec, &sa.sin_addr.s_addr, &port) != 0) {
		fprintf(err, "tcpe: --prometheus: '%s' is not ADDR:PORT\n", spec);
		return NULL;
	}
	sa.sin_port = htons(port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 128) != 0) {
		fprintf(err, "tcpe: --prometheus %s: %s\n", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		close(fd);
		return NULL;
	}
	h->lfd = fd;
	for (unsigned int i = 0; i < HTTPD_CLIENTS; i++)
		h->cl[i].fd = -1;
	return h;
}

static void
client_drop(struct httpd_client *c)
{
	close(c->fd);
	free(c->out);
	c->fd = -1;
	c->out = NULL;
}

void
httpd_close(struct httpd *h)
{
	if (h == NULL)
		return;
	for (unsigned int i = 0; i < HTTPD_CLIENTS; i++)
		if (h->cl[i].fd >= 0)
			client_drop(&h->cl[i]);
	close(h->lfd);
	free(h);
}

static const char *
prom_type(const struct tcpe_stat_desc *d)
{
	return d->kind == TCPE_STAT_GAUGE ? "gauge" : "counter";
}

/* The ports' own extended statistics (rte_eth_xstats), as one labelled family. */
static void
write_port_metrics(FILE *f, const struct worker *w)
{
	fprintf(f, "# HELP tcpe_port_xstat the port driver's extended statistics (rte_eth_xstats)\n"
		   "# TYPE tcpe_port_xstat untyped\n");
	for (uint16_t p = 0; p < w->nports; p++) {
		struct port_xstats x;

		if (port_xstats_get(w->ports[p].txb.port_id, &x) != 0)
			continue;
		for (int i = 0; i < x.n; i++)
			fprintf(f, "tcpe_port_xstat{port=\"%u\",name=\"%s\"} %llu\n",
				w->ports[p].txb.port_id, x.names[x.vals[i].id].name,
				(unsigned long long)x.vals[i].value);
		port_xstats_free(&x);
	}
}

/*
 * Client mode: each worker's request latency as a Prometheus histogram, its log-linear buckets
 * (client.h) folded into powers of two from 1 us to 2^26 us (~67 s) and +Inf. The sum counts each
 * request at its bucket's lower bound (the histogram keeps no exact sum). The worker adds to its
 * counts while they are read: a scrape may see a request in one bucket but not yet in a later
 * cumulative one, never a count going down between scrapes.
 */
static void
write_client_latency(FILE *f, struct worker *const *workers, unsigned int n)
{
	fprintf(f, "# HELP tcpe_client_latency_us client request latency in microseconds\n"
		   "# TYPE tcpe_client_latency_us histogram\n");
	for (unsigned int w = 0; w < n; w++) {
		const uint64_t *h = workers[w]->client->lat_hist;
		uint64_t cum = 0, sum = 0;
		unsigned int b = 0;

		for (unsigned int e = 0; e <= 26; e++) {
			uint64_t le = 1ULL << e;

			/* bucket b holds [value(b), value(b + 1)): at most le when value(b + 1) <= le + 1 */
			while (b + 1 < CLIENT_LAT_BUCKETS && client_lat_value(b + 1) <= le + 1) {
				cum += h[b];
				sum += h[b] * client_lat_value(b);
				b++;
			}
			fprintf(f, "tcpe_client_latency_us_bucket{worker=\"%u\",le=\"%llu\"} %llu\n",
				workers[w]->lcore, (unsigned long long)le, (unsigned long long)cum);
		}
		for (; b < CLIENT_LAT_BUCKETS; b++) {
			cum += h[b];
			sum += h[b] * client_lat_value(b);
		}
		fprintf(f, "tcpe_client_latency_us_bucket{worker=\"%u\",le=\"+Inf\"} %llu\n"
			   "tcpe_client_latency_us_sum{worker=\"%u\"} %llu\n"
			   "tcpe_client_latency_us_count{worker=\"%u\"} %llu\n", workers[w]->lcore,
			(unsigned long long)cum, workers[w]->lcore, (unsigned long long)sum,
			workers[w]->lcore, (unsigned long long)cum);
	}
}

void
httpd_write_prometheus(FILE *f, struct worker *const *workers, unsigned int n,
			 const struct tcpe_stats *snap)
{
	for (unsigned int i = 0; i < tcpe_stat_ndescs; i++) {
		const struct tcpe_stat_desc *d = &tcpe_stat_descs[i];
		const char *suffix = d->kind == TCPE_STAT_GAUGE ? "" : "_total";

		fprintf(f, "# HELP tcpe_%s%s %s\n# TYPE tcpe_%s%s %s\n", d->name, suffix, d->help,
			d->name, suffix, prom_type(d));
		for (unsigned int w = 0; w < n; w++)
			fprintf(f, "tcpe_%s%s{worker=\"%u\"} %llu\n", d->name, suffix,
				workers[w]->lcore,
				(unsigned long long)tcpe_stats_word(&snap[w], d->index));
	}
	fprintf(f, "# HELP tcpe_workers worker lcores serving\n# TYPE tcpe_workers gauge\n"
		   "tcpe_workers %u\n", n);
	if (n > 0)
		write_port_metrics(f, workers[0]);
	fprintf(f, "# HELP tcpe_mbufs_free mbufs available in the worker's pool\n"
		   "# TYPE tcpe_mbufs_free gauge\n");
	for (unsigned int w = 0; w < n; w++)
		fprintf(f, "tcpe_mbufs_free{worker=\"%u\"} %u\n", workers[w]->lcore,
			rte_mempool_avail_count(workers[w]->mp));
	fprintf(f, "# HELP tcpe_rx_mbufs_free mbufs available in the receive pool the worker's "
		   "queues fill from\n# TYPE tcpe_rx_mbufs_free gauge\n");
	for (unsigned int w = 0; w < n; w++)
		if (workers[w]->rx_mp != NULL)
			fprintf(f, "tcpe_rx_mbufs_free{worker=\"%u\"} %u\n", workers[w]->lcore,
				rte_mempool_avail_count(workers[w]->rx_mp));
	if (n > 0 && workers[0]->client != NULL)
		write_client_latency(f, workers, n);
}

/* {"time": T, "total": {...}, "workers": [{"lcore": N, ...}]} - no braces around it */
static void
write_snapshot(FILE *f, double t, struct worker *const *workers, unsigned int n,
	       const struct tcpe_stats *snap)
{
	fprintf(f, "\"time\": %.3f, \"total\": {", t);
	stats_json_object(f, &snap[n]);
	fprintf(f, ", \"workers\": [");
	for (unsigned int w = 0; w < n; w++) {
		fprintf(f, "%s{\"lcore\": %u, ", w ? ", " : "", workers[w]->lcore);
		stats_json_object(f, &snap[w]);
	}
	fprintf(f, "]");
}

static void
write_stats_json(FILE *f, struct worker *const *workers, unsigned int n,
		 const struct tcpe_stats *snap, const struct tcpe_stats *prev, double prev_time)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(f, "{");
	write_snapshot(f, (double)ts.tv_sec + ts.tv_nsec / 1e9, workers, n, snap);
	if (prev != NULL) {
		fprintf(f, ", \"prev\": {");
		write_snapshot(f, prev_time, workers, n, prev);
		fprintf(f, "}");
	}
	fprintf(f, "}\n");
}

/* The whole response to request head @p req, into c->out (nothing is sent here). */
static void
respond(struct httpd_client *c, const char *req, const struct httpd_view *v)
{
	const char *status = "200 OK", *ctype = "text/plain; version=0.0.4";
	char *body = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&body, &blen);

	if (f == NULL)
		return;
	stats_snapshot(v->workers, v->n, v->scratch);
	if (strncmp(req, "GET /metrics ", 13) == 0 || strncmp(req, "GET /metrics?", 13) == 0) {
		httpd_write_prometheus(f, v->workers, v->n, v->scratch);
	} else if (strncmp(req, "GET /stats.json ", 16) == 0) {
		ctype = "application/json";
		write_stats_json(f, v->workers, v->n, v->scratch, v->prev, v->prev_time);
	} else if (strncmp(req, "GET / ", 6) == 0 || strncmp(req, "GET /index.html ", 16) == 0) {
		ctype = "text/html; charset=utf-8";
		fwrite(tcpe_dashboard_html, 1, tcpe_dashboard_html_len, f);
	} else {
		status = "404 Not Found";
		fprintf(f, "tcpe serves / (dashboard), /metrics and /stats.json\n");
	}
	fclose(f);
	f = open_memstream(&c->out, &c->out_len);
	if (f != NULL) {
		fprintf(f, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			"Connection: close\r\n\r\n", status, ctype, blen);
		fwrite(body, 1, blen, f);
		fclose(f);
	}
	free(body);
	c->out_done = 0;
}

/* Accept what is waiting; with every slot taken, the oldest client still reading its request
 * (an idle connection holds nothing worth keeping) makes room. */
static void
accept_some(struct httpd *h, uint64_t now)
{
	for (unsigned int k = 0; k < HTTPD_ACCEPT_BURST; k++) {
		struct httpd_client *slot = NULL, *oldest = NULL;
		int fd;

		for (unsigned int i = 0; i < HTTPD_CLIENTS && slot == NULL; i++) {
			struct httpd_client *c = &h->cl[i];

			if (c->fd < 0)
				slot = c;
			else if (c->out == NULL && (oldest == NULL || c->since_ms < oldest->since_ms))
				oldest = c;
		}
		fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;	/* nobody waiting */
		if (slot == NULL && oldest != NULL) {
			client_drop(oldest);
			h->evicted++;
			slot = oldest;
		}
		if (slot == NULL) {	/* every slot is writing a response: refuse */
			close(fd);
			h->evicted++;
			continue;
		}
		slot->fd = fd;
		slot->got = 0;
		slot->out = NULL;
		slot->since_ms = now;
		slot->deadline_ms = now + HTTPD_READ_TIMEOUT_MS;
	}
}

/* Read what arrived; once the head is complete, the response replaces it. False: drop. */
static bool
client_read(struct httpd_client *c, const struct httpd_view *v, uint64_t now)
{
	ssize_t r = recv(c->fd, c->req + c->got, HTTPD_REQ_MAX - c->got, MSG_DONTWAIT);

	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
		return false;
	if (r > 0)
		c->got += (size_t)r;
	c->req[c->got] = '\0';
	if (strstr(c->req, "\r\n\r\n") == NULL && strstr(c->req, "\n\n") == NULL &&
	    c->got < HTTPD_REQ_MAX)
		return true;
	respond(c, c->req, v);
	c->deadline_ms = now + HTTPD_WRITE_TIMEOUT_MS;
	return c->out != NULL;
}

/* Send what the socket takes. False: done or broken (drop it either way). */
static bool
client_write(struct httpd_client *c)
{
	while (c->out_done < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_done, c->out_len - c->out_done,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK;
		c->out_done += (size_t)n;
	}
	return false;
}

void
httpd_poll(struct httpd *h, const struct httpd_view *v)
{
	uint64_t now = now_ms();

	accept_some(h, now);
	for (unsigned int i = 0; i < HTTPD_CLIENTS; i++) {
		struct httpd_client *c = &h->cl[i];
		bool keep;

		if (c->fd < 0)
			continue;
		if (now >= c->deadline_ms) {
			h->timeouts++;
			client_drop(c);
			continue;
		}
		keep = c->out == NULL ? client_read(c, v, now) : true;
		if (keep && c->out != NULL) {
			keep = client_write(c);
			if (!keep && c->out_done == c->out_len)
				h->served++;
		}
		if (!keep)
			client_drop(c);
	}
}
