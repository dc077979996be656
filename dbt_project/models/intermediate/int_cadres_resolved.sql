-- The one period that speaks for a person (CONTRACT.md §4): the current one, else the
-- latest. Gender and birth date come from it wherever a mart needs them, so a person whose
-- periods disagree (accepted with a warning) is described the same way everywhere.
with

periods as (

    select * from {{ ref('int_cadre_periods_dated') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by person_key
            order by
                case when is_current then 0 else 1 end,
                valid_from desc nulls last
        ) as period_order
    from periods

),

final as (

    select
        person_key,
        unit_code,
        gender,
        birth_date,
        birth_year,
        management_tier,
        workplace_kind,
        current_title_code,
        valid_from,
        valid_to,
        is_current
    from ranked
    where period_order = 1

)

select * from final
