"""The runtime choice (runtime.py): the rule on made-up numbers, the CPU as /proc/cpuinfo tells it,
and the whole start-up check on the real model. Run with test_encoder (scripts/test.sh)."""

from __future__ import annotations

import os
import unittest
from pathlib import Path

from runtime import INT8_MIN_COSINE, MIN_SPEEDUP, cpu, decide, select

MODEL_DIR = Path(os.environ.get("MODEL_DIR", Path(__file__).parent / "models/model"))

X86 = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7B12
flags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma avx2 bmi2
processor\t: 1
model name\t: AMD EPYC 7B12
flags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma avx2 bmi2
"""
ARM = """processor\t: 0
BogoMIPS\t: 243.75
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp
CPU implementer\t: 0x41
CPU part\t: 0xd0c
"""


class DecideTest(unittest.TestCase):
    def test_runs_int8_when_faithful_and_faster(self) -> None:
        choice = decide("auto", 0.99, {"int8": 200.0, "fp32": 100.0})
        self.assertEqual(choice.runtime, "int8")
        self.assertIn("2.00x", choice.reason)

    def test_runs_fp32_when_int8_strays_however_fast(self) -> None:
        choice = decide("auto", INT8_MIN_COSINE, {"int8": 500.0, "fp32": 100.0})
        self.assertEqual(choice.runtime, "fp32")
        self.assertIn("strays", choice.reason)
        self.assertIn(f"{INT8_MIN_COSINE:.4f}", choice.reason)

    def test_runs_fp32_when_int8_is_not_worth_it(self) -> None:
        just_under = MIN_SPEEDUP * 100.0 - 1
        choice = decide("auto", 0.995, {"int8": just_under, "fp32": 100.0})
        self.assertEqual(choice.runtime, "fp32")
        self.assertIn("only", choice.reason)
        self.assertEqual(decide("auto", 0.995, {"int8": MIN_SPEEDUP * 100.0, "fp32": 100.0}).runtime, "int8")


class CpuTest(unittest.TestCase):
    def test_reads_an_x86_model_and_its_vector_sets(self) -> None:
        info = cpu(X86)
        self.assertEqual(info["model"], "AMD EPYC 7B12")
        self.assertEqual(info["vector"], ["sse4_2", "avx", "avx2", "fma"])

    def test_reads_arm_features(self) -> None:
        info = cpu(ARM)
        self.assertEqual(info["model"], "0xd0c")
        self.assertEqual(info["vector"], ["asimd", "asimddp"])

    def test_says_unknown_when_nothing_is_known(self) -> None:
        self.assertEqual(cpu("")["vector"], [])


class SelectTest(unittest.TestCase):
    def test_auto_checks_and_times_both_on_this_cpu(self) -> None:
        encoder, choice = select(MODEL_DIR, "auto", threads=2)
        self.assertEqual(encoder.runtime, choice.runtime)
        self.assertEqual(choice.requested, "auto")
        assert choice.int8_min_cosine is not None and choice.texts_per_second is not None
        # The model convert.py builds stays within the bound here, whatever the choice.
        self.assertGreater(choice.int8_min_cosine, INT8_MIN_COSINE)
        self.assertEqual(set(choice.texts_per_second), {"int8", "fp32"})
        self.assertTrue(all(rate > 0 for rate in choice.texts_per_second.values()))

    def test_runs_what_is_asked_without_measuring(self) -> None:
        encoder, choice = select(MODEL_DIR, "fp32", threads=2)
        self.assertEqual((encoder.runtime, choice.runtime, choice.reason), ("fp32", "fp32", "asked for"))
        self.assertIsNone(choice.texts_per_second)


if __name__ == "__main__":
    unittest.main()
