/* app.h - the callback interface applications are written against, and the calls they may make. */
#ifndef TCPE_APP_H
#define TCPE_APP_H

#include <stdint.h>

/** A connection as an application sees it (opaque). Valid from on_accept to on_closed. */
struct tcpe_sock;

/** Read-only parameters applications take from the configuration. */
struct tcpe_app_params {
	const char *greeting;
	uint32_t greeting_len;
	uint64_t http_body;
	uint64_t bulk_bytes;
};

/**
 * An application: callbacks run on the connection's owning worker, one at a time, never
 * concurrently for one connection. Any callback may be NULL. None may block.
 */
struct tcpe_app {
	const char *name;
	/** Handshake completed (ESTABLISHED). */
	void (*on_accept)(struct tcpe_sock *s);
	/** @p len in-order bytes arrived; @p data is valid only during the call. */
	void (*on_data)(struct tcpe_sock *s, const uint8_t *data, uint32_t len);
	/** @p bytes of what the application sent were acknowledged (send space grew). */
	void (*on_acked)(struct tcpe_sock *s, uint32_t bytes);
	/** The peer sent its FIN: it will send nothing more. */
	void (*on_peer_fin)(struct tcpe_sock *s);
	/** The connection is gone (@p reset: by a RST or a timeout); @p s is invalid afterwards. */
	void (*on_closed)(struct tcpe_sock *s, int reset);
};

/**
 * Queue @p len bytes to send (copied). Sending starts after the current callback returns.
 * @return bytes queued: less than @p len only if the mbuf pool ran dry, or 0 after tcpe_close().
 */
uint32_t tcpe_send(struct tcpe_sock *s, const void *data, uint32_t len);

/** Bytes queued but not yet acknowledged. */
uint32_t tcpe_sendq_bytes(const struct tcpe_sock *s);

/** Close the sending side: a FIN follows the queued data (a graceful close). */
void tcpe_close(struct tcpe_sock *s);

/** Reset the connection at once (a RST; queued data is discarded). */
void tcpe_abort(struct tcpe_sock *s);

/** The application's 16 bytes of per-connection state, zeroed at accept. */
void *tcpe_app_state(struct tcpe_sock *s);

/** The configuration values applications use. */
const struct tcpe_app_params *tcpe_params(const struct tcpe_sock *s);

#endif
