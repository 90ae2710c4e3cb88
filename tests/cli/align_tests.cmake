# End-to-end tests of `attnviz align` (included from tests/CMakeLists.txt after cli_tests.cmake,
# whose attnviz_cli_test, FIX, DATA and TMP it uses).
set(ALIGN_OUT ${CMAKE_CURRENT_BINARY_DIR}/align_out)
file(MAKE_DIRECTORY ${ALIGN_OUT})
set(SPEECH ${DATA}/speech_cross.npy --tokens ${DATA}/speech_tokens.txt)

# The reference's frames through the cli, subtitles, and the sample's timing error against its
# truth. The head is the one --score-heads picks; measured with it (data/README.md "Speech: word
# timing"): start error mean 185 ms, end error mean 92 ms; an even split of the audio into the
# tokens errs by 297 ms (starts) and 199 ms (ends) on average. The bounds on the means, 210 ms
# and 110 ms, leave 13-20 % over the measurement and stay well under the even split. The max
# (552 ms: the path gives the first word no frame, so the second starts at 0 s) is bounded at
# 600 ms only to catch a collapse: it says less, an even split's max being 399 ms.
set(ALIGN_SAMPLE_HEADS 1:2)
set(ALIGN_SAMPLE_BOUNDS 210 110 600)
add_test(NAME cli.align_reference_subtitles_sample
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/cli/align_test.py $<TARGET_FILE:attnviz>
                 ${PROJECT_SOURCE_DIR} ${ALIGN_OUT}/python ${ALIGN_SAMPLE_HEADS} ${ALIGN_SAMPLE_BOUNDS})

attnviz_cli_test(align_table EXIT 0 STDOUT "^index +token +start +end$" ARGS align ${SPEECH} --heads 0:0)
attnviz_cli_test(align_csv EXIT 0 STDOUT "^index,token,start,end,start_frame,end_frame$"
                 ARGS align ${SPEECH} --heads 0:0 --csv)
attnviz_cli_test(align_scores EXIT 0 STDOUT "^best: L[0-9]H[0-9] \\(--heads [0-9]:[0-9]\\)$"
                 ARGS align ${SPEECH} --score-heads)
attnviz_cli_test(align_scores_reference EXIT 0 STDOUT "boundary_error_ms"
                 ARGS align ${SPEECH} --score-heads --reference ${DATA}/speech_truth.json --csv)
attnviz_cli_test(align_reference_errors EXIT 0 STDOUT "^against .*speech_truth.json: start error mean [0-9.]+ ms"
                 ARGS align ${SPEECH} --heads 0:0 --reference ${DATA}/speech_truth.json)
attnviz_cli_test(align_no_heads EXIT 2 STDERR "speech_cross\\.npy: no heads chosen: give --heads"
                 ARGS align ${SPEECH})
attnviz_cli_test(align_head_out_of_range EXIT 2 STDERR "--heads \\(head\\).* 9 is out of range"
                 ARGS align ${SPEECH} --heads 0:9)
attnviz_cli_test(align_bad_pair EXIT 2 STDERR "--heads: expected LAYER:HEAD pairs"
                 ARGS align ${SPEECH} --heads 1)
attnviz_cli_test(align_even_width EXIT 2 STDERR "--median-width must be odd and at least 1, got 4"
                 ARGS align ${SPEECH} --heads 0:0 --median-width 4)
attnviz_cli_test(align_zero_width EXIT 2 STDERR "--median-width must be odd and at least 1, got 0"
                 ARGS align ${SPEECH} --heads 0:0 --median-width 0)
attnviz_cli_test(align_frames_too_many EXIT 2 STDERR "--frames 9999 is outside the dump's [0-9]+ frames"
                 ARGS align ${SPEECH} --heads 0:0 --frames 9999)
attnviz_cli_test(align_reference_count EXIT 3 STDERR "two_timings\\.csv: has 2 token timings, the dump has 7 tokens"
                 ARGS align ${SPEECH} --heads 0:0 --reference ${FIX}/analysis/word_timing/two_timings.csv)
attnviz_cli_test(align_reference_not_timings EXIT 3 STDERR "speech_tokens\\.txt: expected a CSV header naming the columns start and end"
                 ARGS align ${SPEECH} --heads 0:0 --reference ${DATA}/speech_tokens.txt)
attnviz_cli_test(align_srt_needs_tokens EXIT 2 STDERR "--srt and --vtt need the tokens"
                 ABSENT ${ALIGN_OUT}/none.srt ARGS align ${DATA}/speech_cross.npy --heads 0:0 --srt ${ALIGN_OUT}/none.srt)
attnviz_cli_test(align_srt_unwritable EXIT 4 STDERR "missing/a\\.srt: cannot write"
                 ARGS align ${SPEECH} --heads 0:0 --srt ${ALIGN_OUT}/missing/a.srt)
attnviz_cli_test(align_vtt EXIT 0 EXISTS ${ALIGN_OUT}/speech.vtt
                 ARGS align ${SPEECH} --heads 0:0 --vtt ${ALIGN_OUT}/speech.vtt)

# --audio FILE crops the frames to the file's length: data/speech.wav holds 33,037 samples at
# 16 kHz, 2.0648 s, so it must give what --audio-seconds 2.0648 gives (and differ from no crop).
add_test(NAME cli.align_audio_file_is_its_length
         COMMAND bash -c "set -e; a=$(\"$0\" align $1 --tokens $2 --heads 1:2 --csv --audio $3); \
b=$(\"$0\" align $1 --tokens $2 --heads 1:2 --csv --audio-seconds 2.0648); \
c=$(\"$0\" align $1 --tokens $2 --heads 1:2 --csv); [ \"$a\" = \"$b\" ] && [ \"$a\" != \"$c\" ]"
                 $<TARGET_FILE:attnviz> ${DATA}/speech_cross.npy ${DATA}/speech_tokens.txt ${DATA}/speech.wav)
attnviz_cli_test(align_audio_and_frames EXIT 2 STDERR "--audio, --audio-seconds and --frames all crop the frames: give one"
                 ARGS align ${SPEECH} --heads 0:0 --audio ${DATA}/speech.wav --frames 9)
attnviz_cli_test(align_audio_missing EXIT 3 STDERR "no_such\\.wav"
                 ARGS align ${SPEECH} --heads 0:0 --audio ${ALIGN_OUT}/no_such.wav)
# Without attnviz_audio.so --audio cannot be read: exit 3 (tests/cli/without_module.sh).
add_test(NAME cli.align_without_module
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/without_module.sh $<TARGET_FILE:attnviz>
                 ${DATA} ${TMP}/align_without_module attnviz_audio.so 3 speech.srt
                 align ${DATA}/speech_cross.npy --tokens ${DATA}/speech_tokens.txt --heads 1:2
                 --audio ${DATA}/speech.wav --srt speech.srt)
