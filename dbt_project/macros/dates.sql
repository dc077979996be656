{#- Date arithmetic that returns a DATE on every engine, and passes nulls through: dbt's
    own dateadd returns a timestamp, and on Spark raises on a null date. -#}

{% macro add_days(date_expression, days) -%}
    {{ return(adapter.dispatch('add_days', 'nhanluc')(date_expression, days)) }}
{%- endmacro %}

{% macro default__add_days(date_expression, days) -%}
    cast({{ dbt.dateadd('day', days, date_expression) }} as date)
{%- endmacro %}

{% macro duckdb__add_days(date_expression, days) -%}
    cast({{ date_expression }} + cast({{ days }} as integer) as date)
{%- endmacro %}

{% macro spark__add_days(date_expression, days) -%}
    date_add({{ date_expression }}, cast({{ days }} as int))
{%- endmacro %}

{#- Calendar years: 29 February plus a year that is not a leap year gives 28 February on
    both engines. -#}
{% macro add_years(date_expression, years) -%}
    {{ return(adapter.dispatch('add_years', 'nhanluc')(date_expression, years)) }}
{%- endmacro %}

{% macro default__add_years(date_expression, years) -%}
    cast({{ dbt.dateadd('year', years, date_expression) }} as date)
{%- endmacro %}

{% macro duckdb__add_years(date_expression, years) -%}
    cast({{ date_expression }} + cast({{ years }} as integer) * interval 1 year as date)
{%- endmacro %}

{% macro spark__add_years(date_expression, years) -%}
    add_months({{ date_expression }}, cast({{ years }} as int) * 12)
{%- endmacro %}

{#- 31 December of the integer year in `year_expression`. -#}
{% macro year_end(year_expression) -%}
    make_date(cast({{ year_expression }} as integer), 12, 31)
{%- endmacro %}

{#- True when a period aliased `alias` (valid_from, valid_to; null = open on that side)
    contains `on_date`. -#}
{% macro period_contains(alias, on_date) -%}
    ({{ alias }}.valid_from is null or {{ alias }}.valid_from <= {{ on_date }})
    and ({{ alias }}.valid_to is null or {{ on_date }} <= {{ alias }}.valid_to)
{%- endmacro %}

{#- Younger than `years` on `on_date`: that birthday has not come yet. Null when the
    birth date is unknown. -#}
{% macro younger_than(birth_date, on_date, years) -%}
    {{ on_date }} < {{ add_years(birth_date, years) }}
{%- endmacro %}
