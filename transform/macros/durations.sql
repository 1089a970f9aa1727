{#- Every duration in this project is in HOURS, as numeric, rounded to 4 decimals. -#}

{% macro hours_between(start_at, end_at) -%}
    round(cast(extract(epoch from ({{ end_at }}) - ({{ start_at }})) / 3600.0 as numeric), 4)
{%- endmacro %}

{#- A span that ends before it starts is bad data (clock skew, rebased commits): null. -#}
{% macro non_negative_hours(start_at, end_at) -%}
    case
        when ({{ end_at }}) >= ({{ start_at }})
            then {{ hours_between(start_at, end_at) }}
    end
{%- endmacro %}
