# Writes OUT: a C file defining the string NAME with the contents of IN (the built-in catalogue).
file(READ ${IN} text)
string(REPLACE "\\" "\\\\" text "${text}")
string(REPLACE "\"" "\\\"" text "${text}")
string(REPLACE "\n" "\\n\"\n    \"" text "${text}")
file(WRITE ${OUT} "/* Generated from ${IN} by cmake/embed_text.cmake. Do not edit. */\nconst char ${NAME}[] =\n    \"${text}\";\n")
