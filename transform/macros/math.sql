{#- numerator / denominator, or null when the denominator is zero or null. -#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as numeric) / nullif(cast({{ denominator }} as numeric), 0))
{%- endmacro %}

{#- Median of a numeric expression (an ordered-set aggregate). -#}
{% macro median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{#- DevLake-style adoption tier of a share (0..1) of AI-assisted PRs. -#}
{% macro adoption_tier(share) -%}
    case
        when {{ share }} is null then null
        when {{ share }} < 0.25 then 'under_25_pct'
        when {{ share }} < 0.50 then '25_to_50_pct'
        when {{ share }} < 0.75 then '50_to_75_pct'
        else 'over_75_pct'
    end
{%- endmacro %}

{#- A jsonb array from an array column that landed as text[], jsonb[] or jsonb. Models
    keep lists as jsonb, not PostgreSQL arrays: dbt unit tests cannot mock array columns. -#}
{% macro to_jsonb_array(column) -%}
    coalesce(to_jsonb({{ column }}), cast('[]' as jsonb))
{%- endmacro %}
