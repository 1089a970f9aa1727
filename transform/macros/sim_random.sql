{#- Deterministic pseudo-random number in [0, 1) for the simulated tables.

    It hashes the `sim_seed` var, a salt naming the draw (so that two draws about the
    same row are independent) and the row's key. Same key + salt + seed = same number,
    on every run and every PostgreSQL. -#}
{% macro sim_random(key, salt) -%}
    (
        cast(
            cast(
                ('x' || substr(md5(
                    '{{ var("sim_seed") }}|{{ salt }}|' || cast({{ key }} as text)
                ), 1, 8)) as bit(32)
            ) as bigint
        ) / 4294967296.0
    )
{%- endmacro %}

{#- Pick one element of a list var deterministically. -#}
{% macro sim_pick(key, salt, choices) -%}
    (array[
        {%- for choice in choices -%}
            '{{ choice }}'{{ ", " if not loop.last }}
        {%- endfor -%}
    ])[1 + floor({{ sim_random(key, salt) }} * {{ choices | length }})::int]
{%- endmacro %}
