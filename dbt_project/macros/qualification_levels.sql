{#- The level ranks of CONTRACT.md §4, kept here and nowhere else: chuyên môn
    (professional) and lý luận chính trị (political theory) levels, lowest first.
    ngoai_ngu and tin_hoc levels are free codes and carry no rank. -#}
{% macro qualification_levels() -%}
    {{ return({
        'chuyen_mon': ['trung_cap', 'cao_dang', 'dai_hoc', 'thac_si', 'tien_si'],
        'ly_luan_chinh_tri': ['so_cap', 'trung_cap', 'cao_cap', 'cu_nhan'],
    }) }}
{%- endmacro %}

{#- Rank (1 = lowest) of `level_column` within `kind_column`; null for unranked kinds. -#}
{% macro level_rank(kind_column, level_column) -%}
    case
    {%- for kind, levels in qualification_levels().items() %}
        {%- for level in levels %}
        when {{ kind_column }} = '{{ kind }}' and {{ level_column }} = '{{ level }}' then {{ loop.index }}
        {%- endfor %}
    {%- endfor %}
    end
{%- endmacro %}

{#- Level code of `rank_column` for the ranked kind `kind`; null when the rank is null. -#}
{% macro level_code(kind, rank_column) -%}
    case {{ rank_column }}
    {%- for level in qualification_levels()[kind] %}
        when {{ loop.index }} then '{{ level }}'
    {%- endfor %}
    end
{%- endmacro %}

{#- True when `as_of_date` lies in the span [valid_from, valid_to) of an
    int_levels_historised row aliased `levels_alias` (valid_to null = still current). -#}
{% macro levels_valid_on(levels_alias, as_of_date) -%}
    {{ levels_alias }}.valid_from <= {{ as_of_date }}
    and ({{ levels_alias }}.valid_to is null or {{ as_of_date }} < {{ levels_alias }}.valid_to)
{%- endmacro %}
