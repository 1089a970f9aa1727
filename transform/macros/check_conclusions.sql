{#- Check-run conclusions that count as a CI failure (GitHub's CheckConclusionState).
    SUCCESS passes; NEUTRAL and SKIPPED count as neither. -#}
{% macro failing_conclusions() -%}
    'FAILURE', 'TIMED_OUT', 'CANCELLED', 'ACTION_REQUIRED', 'STARTUP_FAILURE', 'STALE'
{%- endmacro %}
