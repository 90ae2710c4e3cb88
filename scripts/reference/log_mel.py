#!/usr/bin/python3
"""numpy reference for attnviz's audio input and Whisper log-mel spectrogram, written from their
definitions (openai/whisper audio.py log_mel_spectrogram; librosa.filters.mel with its defaults),
and the fixtures and goldens it commits for the C++ tests:

    /usr/bin/python3 scripts/reference/log_mel.py    # writes tests/fixtures/speech/audio/

- stereo16k.wav: 16-bit stereo at 16 kHz, 1650 samples (tones left, noise right); the golden
  holds its mono mix (the mean of the channels, each sample / 32768) and its log-mel spectrogram;
- sine44k.wav: 16-bit mono at 44.1 kHz, a 440 Hz sine of amplitude 0.5 for 0.5 s (the test
  compares attnviz's 16 kHz resampling with the sine sampled at 16 kHz);
- golden.json: "mono", "log_mel" (80 rows of 10 frames, row 0 the lowest band) and "filters"
  (rows 0, 1, 10, 40 and 79 of the 80 x 201 mel filter bank).

Everything in float64: the STFT by np.fft.rfft, the filter bank by librosa's formula (librosa is
not needed). The C++ computes the FFT in single precision, as Whisper does.
"""

import json
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "speech" / "audio"

SAMPLE_RATE, N_FFT, HOP, N_MELS = 16000, 400, 160, 80
FILTER_ROWS = [0, 1, 10, 40, 79]


def hz_to_mel(hz):
    """Slaney's scale (librosa htk=False): linear to 1 kHz, then logarithmic."""
    hz = np.asarray(hz, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = hz / f_sp
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(hz >= min_log_hz, min_log_mel + np.log(np.maximum(hz, 1e-300) / min_log_hz) / logstep, mels)


def mel_to_hz(mel):
    mel = np.asarray(mel, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(mel >= min_log_mel, min_log_hz * np.exp(logstep * (mel - min_log_mel)), f_sp * mel)


def mel_filters(sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=N_MELS):
    """librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels): triangles, Slaney-normalised."""
    fftfreqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sr / 2), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    weights = np.zeros((n_mels, 1 + n_fft // 2))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels])
    return weights * enorm[:, np.newaxis]


def log_mel_spectrogram(audio):
    """Whisper's log_mel_spectrogram: torch.stft(center=True, reflect), periodic Hann window,
    |.|^2 without the last frame, mel filters, log10(max(., 1e-10)), max - 8 floor, (x + 4) / 4."""
    audio = np.asarray(audio, dtype=np.float64)
    padded = np.pad(audio, N_FFT // 2, mode="reflect")
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)  # torch.hann_window(periodic)
    n_frames = 1 + (len(padded) - N_FFT) // HOP
    frames = np.stack([padded[t * HOP : t * HOP + N_FFT] * window for t in range(n_frames)], axis=1)
    magnitudes = np.abs(np.fft.rfft(frames, axis=0)) ** 2
    magnitudes = magnitudes[:, :-1]
    mel = mel_filters() @ magnitudes
    log_spec = np.log10(np.maximum(mel, 1e-10))
    log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
    return (log_spec + 4.0) / 4.0


def write_wav(path, rate, channels):
    """channels: list of float arrays in [-1, 1), written as 16-bit PCM; returns the int16 data."""
    data = np.stack([np.round(c * 32768).clip(-32768, 32767).astype("<i2") for c in channels], axis=1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(len(channels))
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())
    return data


def stereo_fixture(rng):
    t = np.arange(1650) / SAMPLE_RATE
    left = 0.4 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 3000 * t)
    right = 0.3 * rng.standard_normal(len(t)).clip(-3, 3) / 3 + 0.1 * np.sin(2 * np.pi * 150 * t)
    return write_wav(OUT / "stereo16k.wav", SAMPLE_RATE, [left, right])


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(17)
    data = stereo_fixture(rng)
    mono = data.astype(np.float64).mean(axis=1) / 32768
    t = np.arange(int(0.5 * 44100)) / 44100
    write_wav(OUT / "sine44k.wav", 44100, [0.5 * np.sin(2 * np.pi * 440 * t)])
    spectrogram = log_mel_spectrogram(mono.astype(np.float32))
    filters = mel_filters()
    golden = {
        "mono": [float(x) for x in mono],
        "log_mel": [[round(float(x), 7) for x in row] for row in spectrogram],
        "filter_rows": FILTER_ROWS,
        "filters": [[float(np.float32(x)) for x in filters[r]] for r in FILTER_ROWS],
    }
    (OUT / "golden.json").write_text(json.dumps(golden) + "\n")
    print(f"wrote {OUT}: log-mel {spectrogram.shape}, range {spectrogram.min():.4f}..{spectrogram.max():.4f}")


if __name__ == "__main__":
    main()
