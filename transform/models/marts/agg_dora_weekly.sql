-- DORA's four metrics per repository and ISO week (Monday start); see macros/dora.sql.
{{ dora_aggregate('week') }}
