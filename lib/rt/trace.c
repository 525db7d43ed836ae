/* trace.c - prints trace records as the seed notes' table: direction, flags, relative seq/ack, length, state. */
#include "trace.h"

#include <arpa/inet.h>
#include <string.h>

#include <rte_byteorder.h>

#include "stats.h"
#include "tcb.h"

static void
flag_names(uint8_t f, char *buf, size_t n)
{
	static const struct { uint8_t bit; const char *name; } names[] = {
		{ TCP_SYN, "SYN" }, { TCP_FIN, "FIN" }, { TCP_RST, "RST" },
		{ TCP_PSH, "PSH" }, { TCP_ACK, "ACK" }, { TCP_URG, "URG" },
	};
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(f & names[i].bit))
			continue;
		at += (size_t)snprintf(buf + at, n - at, "%s%s", at ? "," : "", names[i].name);
		if (at >= n)
			break;
	}
}

void
trace_print(struct trace_printer *p, const struct trace_rec *r)
{
	char fl[32], ack[16];
	uint8_t wk = r->worker;

	if (r->conn > p->headed[wk]) {
		char ra[INET6_ADDRSTRLEN + 2], la[INET6_ADDRSTRLEN + 2], a[INET6_ADDRSTRLEN];

		p->headed[wk] = r->conn;
		if (p->t0_us[wk] == 0)
			p->t0_us[wk] = r->t_us;
		if (r->ip6) {	/* [2001:2::2]:40000, as URLs write it (RFC 3986 §3.2.2) */
			snprintf(ra, sizeof(ra), "[%s]", inet_ntop(AF_INET6, r->raddr6, a, sizeof(a)));
			snprintf(la, sizeof(la), "[%s]", inet_ntop(AF_INET6, r->laddr6, a, sizeof(a)));
		} else {
			inet_ntop(AF_INET, &r->raddr, ra, sizeof(ra));
			inet_ntop(AF_INET, &r->laddr, la, sizeof(la));
		}
		fprintf(p->out, "trace: connection %u.%u  %s:%u -> %s:%u  (worker lcore %u)\n",
			wk, r->conn, ra, rte_be_to_cpu_16(r->rport), la, rte_be_to_cpu_16(r->lport),
			r->lcore);
		fprintf(p->out, "trace: %-7s %10s  %-4s %-14s %8s %8s %6s  %s\n", "conn", "ms", "dir",
			"flags", "rel.seq", "rel.ack", "len", "state after");
	}
	flag_names(r->flags, fl, sizeof(fl));
	if (r->flags & TCP_ACK)
		snprintf(ack, sizeof(ack), "%u", r->ack);
	else
		strcpy(ack, "-");
	fprintf(p->out, "trace: %3u.%-3u %10.3f  %-4s %-14s %8u %8s %6u  %s\n", wk, r->conn,
		(double)(r->t_us - p->t0_us[wk]) / 1000.0, r->dir == TRACE_IN ? "in" : "out", fl,
		r->seq, ack, r->len, tcp_state_name(r->state));
}
