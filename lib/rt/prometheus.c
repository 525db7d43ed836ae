/* prometheus.c - the control core's HTTP endpoint: /metrics (Prometheus), /stats.json and / (the live dashboard). */
#include "prometheus.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "ctrl.h"
#include "port.h"

#define CLIENT_TIMEOUT_MS 5000
#define SEND_TIMEOUT_MS 200

/* lib/rt/web/dashboard.html, embedded at build time */
extern const char tcpe_dashboard_html[];
extern const size_t tcpe_dashboard_html_len;

int
metrics_parse_addr(const char *spec, uint32_t *ip, uint16_t *port)
{
	const char *colon = strrchr(spec, ':');
	char host[64];
	char *end;
	long p;

	if (colon == NULL || (size_t)(colon - spec) >= sizeof(host))
		return -EINVAL;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	p = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || p < 1 || p > 65535)
		return -EINVAL;
	if (host[0] == '\0')
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, ip) != 1)
		return -EINVAL;
	*port = (uint16_t)p;
	return 0;
}

struct metrics_srv *
metrics_open(const char *spec, FILE *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct metrics_srv *m;
	uint16_t port;
	int fd, one = 1;

	if (metrics_parse_addr(spec, &sa.sin_addr.s_addr, &port) != 0) {
		fprintf(err, "tcpe: --prometheus: '%s' is not ADDR:PORT\n", spec);
		return NULL;
	}
	sa.sin_port = htons(port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 64) != 0) {
		fprintf(err, "tcpe: --prometheus %s: %s\n", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		close(fd);
		return NULL;
	}
	m->lfd = fd;
	for (unsigned int i = 0; i < METRICS_CLIENTS; i++)
		m->cl[i].fd = -1;
	return m;
}

void
metrics_close(struct metrics_srv *m)
{
	if (m == NULL)
		return;
	for (unsigned int i = 0; i < METRICS_CLIENTS; i++)
		if (m->cl[i].fd >= 0)
			close(m->cl[i].fd);
	close(m->lfd);
	free(m);
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

		if (port_xstats_get(w->ports[p].port_id, &x) != 0)
			continue;
		for (int i = 0; i < x.n; i++)
			fprintf(f, "tcpe_port_xstat{port=\"%u\",name=\"%s\"} %llu\n",
				w->ports[p].port_id, x.names[x.vals[i].id].name,
				(unsigned long long)x.vals[i].value);
		port_xstats_free(&x);
	}
}

void
metrics_write_prometheus(FILE *f, struct worker *const *workers, unsigned int n,
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

static void
send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;	/* the scraper went away or stalled past the timeout */
		buf += n;
		len -= (size_t)n;
	}
}

/* Answer the complete request head @p req on @p fd (blocking send, bounded by a timeout). */
static void
serve(int fd, const char *req, struct worker *const *workers, unsigned int n,
      struct tcpe_stats *snap, const struct tcpe_stats *prev, double prev_time)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = SEND_TIMEOUT_MS * 1000 };
	char head[256];
	size_t blen = 0;
	char *body = NULL;
	const char *status = "200 OK", *ctype = "text/plain; version=0.0.4";
	int flags = fcntl(fd, F_GETFL);
	FILE *f;

	fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	f = open_memstream(&body, &blen);
	if (f == NULL)
		return;
	stats_snapshot(workers, n, snap);
	if (strncmp(req, "GET /metrics ", 13) == 0 || strncmp(req, "GET /metrics?", 13) == 0) {
		metrics_write_prometheus(f, workers, n, snap);
	} else if (strncmp(req, "GET /stats.json ", 16) == 0) {
		ctype = "application/json";
		write_stats_json(f, workers, n, snap, prev, prev_time);
	} else if (strncmp(req, "GET / ", 6) == 0 || strncmp(req, "GET /index.html ", 16) == 0) {
		ctype = "text/html; charset=utf-8";
		fwrite(tcpe_dashboard_html, 1, tcpe_dashboard_html_len, f);
	} else {
		status = "404 Not Found";
		fprintf(f, "tcpe serves / (dashboard), /metrics and /stats.json\n");
	}
	fclose(f);
	snprintf(head, sizeof(head), "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n", status, ctype, blen);
	send_all(fd, head, strlen(head));
	send_all(fd, body, blen);
	free(body);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
metrics_poll(struct metrics_srv *m, struct worker *const *workers, unsigned int n,
	     struct tcpe_stats *scratch, const struct tcpe_stats *prev, double prev_time)
{
	uint64_t now = now_ms();

	for (unsigned int i = 0; i < METRICS_CLIENTS; i++) {
		if (m->cl[i].fd >= 0)
			continue;
		m->cl[i].fd = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (m->cl[i].fd < 0)
			break;	/* nobody waiting */
		m->cl[i].got = 0;
		m->cl[i].deadline_ms = now + CLIENT_TIMEOUT_MS;
	}
	for (unsigned int i = 0; i < METRICS_CLIENTS; i++) {
		struct metrics_client *c = &m->cl[i];
		ssize_t r;
		bool done;

		if (c->fd < 0)
			continue;
		r = recv(c->fd, c->req + c->got, METRICS_REQ_MAX - c->got, 0);
		if (r > 0)
			c->got += (size_t)r;
		c->req[c->got] = '\0';
		done = strstr(c->req, "\r\n\r\n") != NULL || strstr(c->req, "\n\n") != NULL ||
		       c->got == METRICS_REQ_MAX;
		if (done)
			serve(c->fd, c->req, workers, n, scratch, prev, prev_time);
		if (done || r == 0 || (r < 0 && errno != EAGAIN) || now >= c->deadline_ms) {
			close(c->fd);	/* answered, gone, broken, or too slow */
			c->fd = -1;
		}
	}
}
