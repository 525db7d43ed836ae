/* app.h - the callback interface applications are written against, and the calls they may make. */
#ifndef TCPE_APP_H
#define TCPE_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "stats.h"
#include "tcb.h"

/** A connection as an application sees it (opaque). Valid from on_accept to on_closed. */
struct tcpe_sock;

/** Read-only parameters applications take from the configuration. */
struct tcpe_app_params {
	const char *greeting;
	uint32_t greeting_len;
	uint64_t http_body;
	uint64_t http_max_bytes;	/**< cap on GET /bytes/N */
	uint32_t http_max_header;	/**< request line + headers limit */
	uint32_t http_idle_ms;		/**< keep-alive idle timeout */
	uint64_t http_work_cycles;	/**< TSC cycles to spend per response (0: none) */
	uint32_t idle_ms;		/**< echo, discard, bulk: close when idle (0: never) */
	uint64_t bulk_bytes;
	uint32_t sndbuf;		/**< --sndbuf: what one connection may keep queued at first
					 *   (tcpe_send_budget(): now) */
};

/** Size of the per-worker body template tcpe_send_body() references. */
#define TCPE_BODY_TEMPLATE 32768
/** The template's pattern repeats every this many bytes. */
#define TCPE_BODY_PERIOD 32
/** The template's pattern: body byte i is TCPE_BODY_PATTERN[i % TCPE_BODY_PERIOD]. */
#define TCPE_BODY_PATTERN "0123456789abcdefghijklmnopqrstuv"
/** Bytes of per-worker scratch memory an application gets (tcpe_app_worker). */
#define TCPE_APP_WORKER_SCRATCH 640

/**
 * An application: callbacks run on the connection's owning worker, one at a time, never
 * concurrently for one connection. Any callback may be NULL. None may block.
 */
struct tcpe_app {
	const char *name;
	/** Handshake completed (ESTABLISHED). */
	void (*on_accept)(struct tcpe_sock *s);
	/**
	 * @p len in-order bytes arrived; @p data is valid only during the call. Returns how many
	 * the application took (all of them unless it is back-pressured: its send was refused;
	 * or tcpe_yield() said its time is up). The rest stays with tcpe, counted against the
	 * connection's receive window, and is offered again, with what arrives after it, once
	 * on_writable has run (after a yield: in a later iteration). NULL: every byte is taken
	 * (and dropped).
	 */
	uint32_t (*on_data)(struct tcpe_sock *s, const uint8_t *data, uint32_t len);
	/** @p bytes of what the application sent were acknowledged (send space grew). */
	void (*on_acked)(struct tcpe_sock *s, uint32_t bytes);
	/** A send that came back short may go on: the connection's or the worker's send budget
	 * has room again. */
	void (*on_writable)(struct tcpe_sock *s);
	/** The peer sent its FIN: it will send nothing more. */
	void (*on_peer_fin)(struct tcpe_sock *s);
	/** The connection is gone (@p reset: by a RST or a timeout); @p s is invalid afterwards. */
	void (*on_closed)(struct tcpe_sock *s, int reset);
	/** tcpe_close() may put the FIN on the last data segment (one segment less per close);
	 * false keeps them apart, as a write() then a later shutdown() does (the seed's trace). */
	bool fin_with_data;
	/** The application keeps per-connection state (tcpe_app_state()): its connections'
	 * records carry 32 bytes more. False: it never calls tcpe_app_state(). */
	bool has_state;
};

/**
 * Queue @p len bytes to send (copied). Sending starts after the current callback returns.
 * Every connection has a send budget (tcpe_send_budget()) and so has every worker (its share of
 * --mbufs): a send that would exceed either is cut short, and on_writable follows when there is
 * room again. The application is back-pressured, never reset.
 * @return bytes queued: less than @p len when a budget is used up, 0 after tcpe_close().
 */
uint32_t tcpe_send(struct tcpe_sock *s, const void *data, uint32_t len);

/**
 * Queue @p len bytes of a body without copying: references to the worker's read-only template,
 * whose byte i is TCPE_BODY_PATTERN[i % TCPE_BODY_PERIOD]. @p from is the body offset of the
 * first byte, so that a body sent in pieces (a send cut short goes on later) reads as one.
 * Same budgets and return as tcpe_send().
 */
uint32_t tcpe_send_body(struct tcpe_sock *s, uint64_t len, uint64_t from);

/** Bytes a tcpe_send() of small data would take now (0: wait for on_writable). */
uint32_t tcpe_send_space(const struct tcpe_sock *s);

/** Close the connection gracefully after @p ms with nothing to send or receive (0: never). */
void tcpe_set_idle_ms(struct tcpe_sock *s, uint32_t ms);

/** The owning worker's counters (applications count their own events there). */
struct tcpe_stats *tcpe_stats(struct tcpe_sock *s);

/** The owning worker's clock: microseconds, monotonic, read once per loop iteration. */
uint64_t tcpe_now_us(const struct tcpe_sock *s);

/** Add to tcpe_now_us() to get microseconds since the Unix epoch. */
int64_t tcpe_wall_offset_us(const struct tcpe_sock *s);

/** TCPE_APP_WORKER_SCRATCH bytes per worker for the application (zeroed at start). */
void *tcpe_app_worker(struct tcpe_sock *s);

/** Bytes queued but not yet acknowledged. */
uint32_t tcpe_sendq_bytes(const struct tcpe_sock *s);

/** The connection's send budget now: what it may keep queued (--sndbuf, grown with its
 * congestion window up to --sndbuf-max). */
uint32_t tcpe_send_budget(const struct tcpe_sock *s);

/**
 * True when the worker's time for applications in this loop iteration (--app-slice-us: the
 * time their on_data calls took, once the worker's iterations run long) is used
 * up: an on_data callback that has done a unit of work (a response) and gets true should return
 * what it has taken so far; the rest is offered again in a later iteration, after the port has
 * been polled and other connections have had their turn. False while the worker's list of
 * waiting connections is full (the application goes on then).
 */
bool tcpe_yield(struct tcpe_sock *s);

/** Close the sending side: a FIN follows the queued data (a graceful close). */
void tcpe_close(struct tcpe_sock *s);

/** Reset the connection at once (a RST; queued data is discarded). */
void tcpe_abort(struct tcpe_sock *s);

/** The application's 32 bytes of per-connection state, zeroed at accept (only for an
 * application whose has_state is true). */
void *tcpe_app_state(struct tcpe_sock *s);

/** The per-worker context the runtime registered for the connection's application (or NULL). */
void *tcpe_app_ctx(struct tcpe_sock *s);

/** The connection's addresses and ports (network order; remote = the peer). */
const struct tcp_tuple *tcpe_sock_tuple(const struct tcpe_sock *s);

/** During on_closed: true when the connection ended in TIME_WAIT, so its 4-tuple stays taken
 * for 2*MSL; false when the tuple is free at once. */
bool tcpe_sock_time_wait(const struct tcpe_sock *s);

/** The configuration values applications use. */
const struct tcpe_app_params *tcpe_params(const struct tcpe_sock *s);

#endif
