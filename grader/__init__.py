"""The grader: parse raw answers and grade them (:mod:`.parse`, :mod:`.scoring`), record everything in SQL (:mod:`.db`,
the schema and engines; :mod:`.services`, the access-checked transactions), and read it back as gradebooks
(:mod:`.export`), item analytics (:mod:`.analytics`) and spaced-repetition schedules (:mod:`.srs`); submitted model
code is run in a sandbox and checked by :mod:`.autograde`."""
