{#- Level ranks come from the contract (macros/contract.sql, generated from
    schemas/contract.py); nothing here names a rank number. -#}

{#- Rank (1 = lowest) of `level_column` within `kind_column`; null for unranked kinds. -#}
{% macro level_rank(kind_column, level_column) -%}
    case
    {%- for kind, levels in contract_level_ranks().items() %}
        {%- for level, rank in levels.items() %}
        when {{ kind_column }} = '{{ kind }}' and {{ level_column }} = '{{ level }}' then {{ rank }}
        {%- endfor %}
    {%- endfor %}
    end
{%- endmacro %}

{#- Level code of `rank_column` for the ranked kind `kind`; null when the rank is null. -#}
{% macro level_code(kind, rank_column) -%}
    case {{ rank_column }}
    {%- for level, rank in contract_level_ranks()[kind].items() %}
        when {{ rank }} then '{{ level }}'
    {%- endfor %}
    end
{%- endmacro %}

{#- True when the rank in `rank_column` (a person's highest of `kind`) is `level` or
    higher; a null rank (no award) is not qualified, so the result is never null. -#}
{% macro level_at_least(rank_column, kind, level) -%}
    {%- set ranks = contract_level_ranks()[kind] -%}
    {%- if level not in ranks -%}
        {{ exceptions.raise_compiler_error(level ~ " is not a ranked level of " ~ kind) }}
    {%- endif -%}
    coalesce({{ rank_column }}, 0) >= {{ ranks[level] }}
{%- endmacro %}

{#- The highest rank of any ranked kind: the upper bound of level_rank. -#}
{% macro highest_level_rank() -%}
    {%- set ranks = [] -%}
    {%- for levels in contract_level_ranks().values() -%}
        {%- do ranks.extend(levels.values()) -%}
    {%- endfor -%}
    {{ return(ranks | max) }}
{%- endmacro %}

{#- True when `on_date` lies in the span [valid_from, valid_to) of an
    int_levels_historised row aliased `levels_alias` (valid_to null = still current). -#}
{% macro levels_valid_on(levels_alias, on_date) -%}
    {{ levels_alias }}.valid_from <= {{ on_date }}
    and ({{ levels_alias }}.valid_to is null or {{ on_date }} < {{ levels_alias }}.valid_to)
{%- endmacro %}

{#- The level codes of the ranked kind `kind`, lowest first. -#}
{% macro ranked_levels(kind) -%}
    {{ return(contract_level_ranks()[kind].keys() | list) }}
{%- endmacro %}
