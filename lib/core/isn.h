/* isn.h - initial sequence numbers per RFC 6528: a keyed hash of the 4-tuple plus a 4 µs clock. */
#ifndef TCPE_ISN_H
#define TCPE_ISN_H

#include <stdbool.h>
#include <stdint.h>

/** SipHash-2-4 (Aumasson and Bernstein) of @p len bytes at @p data under the 16-byte @p key. */
uint64_t siphash24(const uint8_t key[16], const void *data, unsigned int len);

/**
 * ISN = M + F(localip, localport, remoteip, remoteport, secretkey) (RFC 6528 §3), with M the
 * 4-microsecond clock derived from @p now_us and F SipHash-2-4 over the tuple bytes.
 *
 * @param key      per-process secret, 16 bytes
 * @param tuple    the connection's addresses and ports exactly as stored (12 bytes)
 * @param now_us   current time in microseconds
 */
uint32_t tcp_isn(const uint8_t key[16], const void *tuple, unsigned int len, uint64_t now_us);

/**
 * Is @p isn one that tcp_isn() gave @p tuple at some time in (@p now_us - @p window_us,
 * @p now_us]? A keyed check (a guess passes with odds window / 2^34 us), for telling an old
 * duplicate of one of our own handshakes from a segment of a connection we never knew.
 */
bool tcp_isn_recent(const uint8_t key[16], const void *tuple, unsigned int len, uint32_t isn,
		    uint64_t now_us, uint64_t window_us);

#endif
