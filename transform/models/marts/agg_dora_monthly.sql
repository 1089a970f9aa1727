-- DORA's four metrics per repository and calendar month; see macros/dora.sql.
{{ dora_aggregate('month') }}
