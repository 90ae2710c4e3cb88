# End-to-end tests of `attnviz speech` on tests/fixtures/speech (make_fixture.py) and the sample
# data: every format through real consumers and byte-identical re-runs, the time axis shared by
# attention and spectrogram checked on pixels, and bad audio refused. Included from
# tests/CMakeLists.txt after heatmap_tests.cmake (uses attnviz_cli_test, attnviz_figure_test, FIX, TMP).
set(SPEECH ${FIX}/speech)
set(SPEECH_OUT ${TMP}/speech)
file(MAKE_DIRECTORY ${SPEECH_OUT})
set(SPEECH_DUMP ${SPEECH}/burst_cross.npy --tokens ${SPEECH}/burst_tokens.txt)
set(SPEECH_ARGS ${SPEECH_DUMP} --audio ${SPEECH}/burst.wav)

attnviz_figure_test(speech_mel speech ${SPEECH_ARGS} --layer 1 --head 0 -o @FIGURE@)
attnviz_figure_test(speech_waveform_path speech ${SPEECH_ARGS} --layer-heads 1:0,1:1 --fuse max
                    --alignment-heads 1:0 --under waveform --keep-padding --clean-tokens -o @FIGURE@)
attnviz_figure_test(speech_alignment speech ${SPEECH_ARGS} --layer 1 --head 0 --alignment-heads 1:0
                    --theme dark -o @FIGURE@)

# The sample data (data/README.md): the gallery's figure.
attnviz_figure_test(speech_sample speech ${DATA}/speech_cross.npy --audio ${DATA}/speech.wav
                    --tokens ${DATA}/speech_tokens.txt --layer 1 --fuse mean
                    --alignment-heads 1:0,1:1,1:2,1:3 --norm power:0.5 -o @FIGURE@)

# The heatmap's columns and the spectrogram's columns show the same seconds.
add_test(NAME cli.speech_time_axis_aligned
         COMMAND bash -c "$<TARGET_FILE:attnviz> speech ${SPEECH}/burst_cross.npy --audio ${SPEECH}/burst.wav --tokens ${SPEECH}/burst_tokens.txt --layer 1 --head 0 -o ${SPEECH_OUT}/aligned.png && /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/cli/speech_alignment_check.py ${SPEECH_OUT}/aligned.png")

# Bad audio: one line naming the file, exit 3, no figure. burst.wav: int(2.03 * 16000) = 32479
# samples, 64958 bytes; cut in half, 65002 / 2 - 44 header bytes = 32457 remain.
attnviz_cli_test(speech_missing_audio EXIT 3 STDERR "nope\\.wav: cannot open: No such file"
                 ABSENT ${SPEECH_OUT}/x.png ARGS speech ${SPEECH_DUMP} --audio ${SPEECH}/nope.wav -o ${SPEECH_OUT}/x.png)
attnviz_cli_test(speech_truncated_audio EXIT 3 STDERR "truncated\\.wav: truncated: the header says 64958 bytes of samples, the file holds 32457"
                 ABSENT ${SPEECH_OUT}/x.png ARGS speech ${SPEECH_DUMP} --audio ${SPEECH}/bad/truncated.wav -o ${SPEECH_OUT}/x.png)
attnviz_cli_test(speech_empty_audio EXIT 3 STDERR "empty\\.wav: expected an audio file, found an empty file"
                 ABSENT ${SPEECH_OUT}/x.png ARGS speech ${SPEECH_DUMP} --audio ${SPEECH}/bad/empty.wav -o ${SPEECH_OUT}/x.png)
attnviz_cli_test(speech_text_audio EXIT 3 STDERR "text\\.wav: expected an audio file libsndfile reads .*Format not recognised"
                 ABSENT ${SPEECH_OUT}/x.png ARGS speech ${SPEECH_DUMP} --audio ${SPEECH}/bad/text.wav -o ${SPEECH_OUT}/x.png)
attnviz_cli_test(speech_zero_channels EXIT 3 STDERR "zero_channels\\.wav: .*Channel count is zero"
                 ABSENT ${SPEECH_OUT}/x.png ARGS speech ${SPEECH_DUMP} --audio ${SPEECH}/bad/zero_channels.wav -o ${SPEECH_OUT}/x.png)
attnviz_cli_test(speech_dump_as_audio EXIT 3 STDERR "burst_cross\\.npy: expected an audio file libsndfile reads"
                 ABSENT ${SPEECH_OUT}/x.png ARGS speech ${SPEECH_DUMP} --audio ${SPEECH}/burst_cross.npy -o ${SPEECH_OUT}/x.png)

# Usage errors.
attnviz_cli_test(speech_needs_audio EXIT 2 STDERR "--audio is required"
                 ARGS speech ${SPEECH}/burst_cross.npy -o ${SPEECH_OUT}/x.png)
attnviz_cli_test(speech_several_heads EXIT 2 STDERR "select several heads; combine them with --fuse"
                 ABSENT ${SPEECH_OUT}/x.png ARGS speech ${SPEECH_ARGS} --head all -o ${SPEECH_OUT}/x.png)
attnviz_cli_test(speech_bad_pairs EXIT 2 STDERR "--alignment-heads: expected layer:head pairs such as 3:1,4:2, found '1-0'"
                 ABSENT ${SPEECH_OUT}/x.png ARGS speech ${SPEECH_ARGS} --alignment-heads 1-0 -o ${SPEECH_OUT}/x.png)
attnviz_cli_test(speech_pair_out_of_range EXIT 2 STDERR "--layer-heads 5 is out of range: the dump has 2 layers"
                 ABSENT ${SPEECH_OUT}/x.png ARGS speech ${SPEECH_ARGS} --layer-heads 5:0 -o ${SPEECH_OUT}/x.png)
attnviz_cli_test(speech_tokens_mismatch EXIT 3 STDERR "four_tokens\\.txt: expected 5 tokens \\(one per query\\), found 4"
                 ABSENT ${SPEECH_OUT}/x.png ARGS speech ${SPEECH}/burst_cross.npy --audio ${SPEECH}/burst.wav --tokens ${SPEECH}/bad/four_tokens.txt -o ${SPEECH_OUT}/x.png)
attnviz_cli_test(speech_bad_under EXIT 2 STDERR "--under"
                 ARGS speech ${SPEECH_ARGS} --under pitch -o ${SPEECH_OUT}/x.png)
attnviz_cli_test(speech_even_median EXIT 2 STDERR "median"
                 ABSENT ${SPEECH_OUT}/x.png ARGS speech ${SPEECH_ARGS} --alignment-heads 1:0 --median-width 4 -o ${SPEECH_OUT}/x.png)
# Stereo at 44.1 kHz (0.5 s): mixed and resampled to 16 kHz, 25 frames shown.
attnviz_cli_test(speech_resampled EXIT 0 EXISTS ${SPEECH_OUT}/resampled.png
                 ARGS speech ${SPEECH_DUMP} --audio ${SPEECH}/audio/sine44k.wav --layer 0 --head 1 -o ${SPEECH_OUT}/resampled.png)
attnviz_cli_test(speech_pairs_and_layer EXIT 2 STDERR "--layer excludes --layer-heads"
                 ARGS speech ${SPEECH_ARGS} --layer 1 --layer-heads 1:0 -o ${SPEECH_OUT}/x.png)
# Without attnviz_audio.so the audio cannot be read: exit 3 (tests/cli/without_module.sh).
add_test(NAME cli.speech_without_module
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/without_module.sh $<TARGET_FILE:attnviz>
                 ${DATA} ${TMP}/speech_without_module attnviz_audio.so 3 speech.png
                 speech ${DATA}/speech_cross.npy --audio ${DATA}/speech.wav --layer 1 --head 2
                 -o speech.png)
