"""Addressed random draws: a uniform number that is a pure function of its address.

The draw that rule ``r`` of actor ``a`` uses on day ``d`` of rollout ``i`` under
seed ``s`` is ``uniform(s, key(a, r), d, i)``. No generator state is carried from
one draw to the next, so rollout ``i`` is bit-identical whether it runs alone,
in a batch of 100,000, in any process and in any order (the idea of counter-based
generators such as Philox; Salmon et al., "Parallel random numbers: as easy as
1, 2, 3", SC 2011). The mixing function is SplitMix64's finaliser (Steele,
Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014),
applied once per address word.
"""

from __future__ import annotations

import hashlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(n) for n in (30, 27, 31, 11))
_UNIT = 1.0 / float(1 << 53)


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on a uint64 array, in place (wrapping arithmetic).

    The shifts go into one scratch array rather than a new temporary each: on the large arrays
    of a day's draws, allocating those costs more than the arithmetic.
    """
    shifted = np.empty_like(x)
    x += _GOLDEN
    x ^= np.right_shift(x, _S30, out=shifted)
    x *= _MUL1
    x ^= np.right_shift(x, _S27, out=shifted)
    x *= _MUL2
    x ^= np.right_shift(x, _S31, out=shifted)
    return x


def key(*parts: str) -> int:
    """A stable 64-bit key for a name such as a rule id (never Python's salted hash)."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


_MASK = (1 << 64) - 1


def _mix_int(x: int) -> int:
    """The same finaliser on one Python int (for the scalar part of an address)."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def base(seed: int, stream: int, day: int) -> int:
    """The scalar part of an address: (seed, stream, day) mixed into one 64-bit word."""
    return _mix_int(_mix_int(_mix_int(seed & _MASK) ^ (stream & _MASK)) ^ (day & _MASK))


def uniform(seed: int, stream: int, day: int, lanes: np.ndarray) -> np.ndarray:
    """Uniform [0, 1) draws, one per lane index in ``lanes``, for this (seed, stream, day)."""
    bits = _mix(lanes.astype(np.uint64) ^ np.uint64(base(seed, stream, day)))  # a fresh array; arrays wrap silently
    return _unit(bits)


def _unit(bits: np.ndarray) -> np.ndarray:
    """The top 53 bits of each word as a float in [0, 1)."""
    bits >>= _S11
    unit = bits.astype(np.float64)
    unit *= _UNIT
    return unit


def stream_prefixes(seed: int, streams: list[int]) -> np.ndarray:
    """The (seed, stream) part of ``base`` for many streams, mixed once: the day is mixed in by ``uniform_many``."""
    return np.array([_mix_int(_mix_int(seed & _MASK) ^ (stream & _MASK)) for stream in streams], dtype=np.uint64)


def uniform_many(prefixes: np.ndarray, day: int, lanes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Many streams' draws in one go: ``uniform`` for each stream in turn, concatenated.

    ``prefixes[k]`` (from ``stream_prefixes``) stands for stream k, which draws for the next ``counts[k]``
    lane indices of ``lanes``. Every number is exactly the one ``uniform`` gives for its address
    (the array ``_mix`` does the same wrapping arithmetic as ``_mix_int``); a day's draws for all
    the rules cost a few calls instead of a few per rule.
    """
    bases = _mix(prefixes ^ np.uint64(day & _MASK))  # base(seed, stream, day) of each stream
    bits = np.repeat(bases, counts)
    bits ^= lanes  # lanes are uint64: no copy needed
    return _unit(_mix(bits))
