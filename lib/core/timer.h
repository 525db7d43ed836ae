/* timer.h - per-worker timers: a hashed timing wheel for variable timeouts and FIFO lists for fixed ones. */
#ifndef TCPE_TIMER_H
#define TCPE_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * Intrusive link embedded in whatever is timed, 12 bytes: its neighbours are named by 32-bit ids,
 * not pointers (a link sits in every connection record). A link is on at most one wheel or FIFO
 * at a time; prev == 0 means "not armed", so zeroed memory is unarmed. Time is always passed in
 * (microseconds), never read.
 */
struct tmr_link {
	uint32_t next, prev;	/**< ids (TMR_HEAD | k: head k of the wheel or FIFO; i + 1:
				     element i of its space) */
	uint32_t expire;	/**< wheel: tick; FIFO: microseconds; both the low 32 bits,
				     compared modulo 2^32 (timeouts stay below 2^30 of them) */
};

#define TMR_HEAD 0x80000000u	/**< id bit: a list head, not an element */

/**
 * The array of timed elements a wheel or FIFO links: element i's link is at base + i * stride.
 * The id of a link is found from its address with a shift and a multiply (exact division by the
 * stride: its odd part's inverse modulo 2^32).
 */
struct tmr_space {
	char *base;		/**< element 0's link */
	uint32_t stride;	/**< bytes between elements' links */
	uint32_t inv;		/**< inverse of stride >> tz, modulo 2^32 */
	uint32_t tz;		/**< trailing zero bits of stride */
};

/** Describe elements whose links are @p stride bytes apart, the first at @p first (stride > 0,
 * below 2^31; fewer than 2^31 elements). */
void tmr_space_init(struct tmr_space *sp, struct tmr_link *first, size_t stride);

/** A hashed timing wheel (Varghese and Lauck, scheme 6): O(1) arm/cancel, expiry bounded per call. */
struct tmr_wheel {
	struct tmr_link *slots;	/**< nslots circular list heads */
	struct tmr_space sp;	/**< where its links live */
	uint32_t mask;		/**< nslots - 1 */
	uint32_t shift;		/**< tick = microseconds >> shift */
	uint64_t next_tick;	/**< first tick not yet processed */
	uint32_t armed;		/**< links currently on the wheel */
};

/** A FIFO of links that all share one fixed timeout, so insertion order is expiry order. */
struct tmr_fifo {
	struct tmr_link head;	/**< circular list head (id TMR_HEAD) */
	struct tmr_space sp;	/**< where its links live */
	uint64_t timeout_us;
	uint32_t count;
};

/**
 * Initialise @p w over caller-provided memory for @p nslots heads (a power of two).
 *
 * @param tick_shift  a tick is 2^tick_shift microseconds (10 gives ~1 ms)
 * @return 0, or -EINVAL if nslots is not a power of two.
 */
int tmr_wheel_init(struct tmr_wheel *w, struct tmr_link *slots, uint32_t nslots,
		   uint32_t tick_shift, uint64_t now_us, const struct tmr_space *sp);

/** Arm (or re-arm) @p l to expire at @p expire_us (rounded up to the next tick; at most 2^30
 * ticks ahead: later is brought forward to that). Re-armed later than it was, a link keeps its
 * slot until the cursor passes it (one store, no list operation). */
void tmr_wheel_arm(struct tmr_wheel *w, struct tmr_link *l, uint64_t expire_us);

/** Take @p l off the wheel; harmless if it is not armed. */
void tmr_wheel_cancel(struct tmr_wheel *w, struct tmr_link *l);

/**
 * Collect links whose time has come, at most @p max of them; the rest stay for the next call.
 *
 * @param out  receives the expired links, already unlinked
 * @return number of links written to @p out.
 */
unsigned int tmr_wheel_expire(struct tmr_wheel *w, uint64_t now_us, struct tmr_link **out,
			      unsigned int max);

/** Ticks (wheel) or microseconds (FIFO) ahead, at most. */
#define TMR_AHEAD_MAX (1u << 30)

/** The tick a link armed now on @p w for @p expire_us goes to: rounded up so that a timer never
 * fires early, never behind the cursor, at most TMR_AHEAD_MAX ahead. */
static inline uint64_t
tmr_wheel_tick(const struct tmr_wheel *w, uint64_t expire_us)
{
	uint64_t tick = (expire_us + (1ULL << w->shift) - 1) >> w->shift;

	if (tick < w->next_tick)
		tick = w->next_tick;
	if (tick - w->next_tick > TMR_AHEAD_MAX)
		tick = w->next_tick + TMR_AHEAD_MAX;	/* 32-bit ticks compare within 2^31 */
	return tick;
}

/** When a link armed now for @p expire_us would expire on @p w (its tick's start, as
 * tmr_wheel_due_us() then gives): to compare two times before arming once. */
static inline uint64_t
tmr_wheel_when_us(const struct tmr_wheel *w, uint64_t expire_us)
{
	return tmr_wheel_tick(w, expire_us) << w->shift;
}

/** When armed @p l expires on @p w, in microseconds (the start of its tick). */
uint64_t tmr_wheel_due_us(const struct tmr_wheel *w, const struct tmr_link *l);

/**
 * Initialise an empty FIFO of links in @p sp whose entries expire @p timeout_us after insertion.
 * @return 0, or -EINVAL if the timeout is 2^30 microseconds (~18 minutes) or more.
 */
int tmr_fifo_init(struct tmr_fifo *f, uint64_t timeout_us, const struct tmr_space *sp);

/** Append @p l (unlinking it first if it is on this FIFO) to expire at now + timeout. */
void tmr_fifo_push(struct tmr_fifo *f, struct tmr_link *l, uint64_t now_us);

/** Take @p l off the FIFO; harmless if it is not armed. */
void tmr_fifo_cancel(struct tmr_fifo *f, struct tmr_link *l);

/** Like tmr_wheel_expire(), for the FIFO: pops expired heads in order, at most @p max. */
unsigned int tmr_fifo_expire(struct tmr_fifo *f, uint64_t now_us, struct tmr_link **out,
			     unsigned int max);

/** True when @p l is on a wheel or FIFO. */
static inline bool
tmr_armed(const struct tmr_link *l)
{
	return l->prev != 0;
}

#endif
