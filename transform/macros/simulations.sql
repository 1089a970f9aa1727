{#- Simulated data is on unless `dbt build --vars '{simulations_enabled: false}'`: the sim_*
    models are then disabled (dbt_project.yml) and the models that mix detected and
    simulated figures leave out their simulated_* columns.

    Body of an import CTE: the simulated author answer (did the author use AI?) of each PR
    that has one, from sim_survey_responses. With simulations off: no rows (and no ref to
    the disabled model), so every simulated figure built on it is empty. -#}
{% macro simulated_author_answers() -%}
    {%- if var('simulations_enabled') %}
    select
        pull_request_id,
        sim_ai_used
    from {{ ref('sim_survey_responses') }}
    where respondent_role = 'author'
    {%- else %}
    select
        cast(null as text) as pull_request_id,
        cast(null as boolean) as sim_ai_used
    where false
    {%- endif %}
{%- endmacro %}

{#- The figures of one origin's cohort statistics (CTE `stats`, columns of agg_ai_impact's
    cohort_stats), each column named `<origin>_<figure>`: detected and simulated cohorts get
    the same figures, rounded alike, told apart by their prefix. -#}
{% macro cohort_figures(stats, origin) -%}
    coalesce({{ stats }}.pr_count, 0) as {{ origin }}_pr_count,
    {{ stats }}.team_period_count as {{ origin }}_team_period_count,
    round(cast({{ stats }}.median_cycle_time_hours as numeric), 4)
        as {{ origin }}_median_cycle_time_hours,
    round(cast({{ stats }}.median_pickup_time_hours as numeric), 4)
        as {{ origin }}_median_pickup_time_hours,
    round(cast({{ stats }}.median_pr_size_lines as numeric), 1)
        as {{ origin }}_median_pr_size_lines,
    round({{ stats }}.avg_changes_requested_rounds, 4)
        as {{ origin }}_avg_changes_requested_rounds,
    round({{ stats }}.ci_failure_rate, 4) as {{ origin }}_ci_failure_rate
{%- endmacro %}
