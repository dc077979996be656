with

enrolments as (

    select * from {{ ref('int_enrolments_termed') }}

),

final as (

    select
        class_code,
        person_key,
        unit_code,
        term_code,
        start_year as year,
        sessions_attended,
        unexcused_absences,
        result,
        graduated
    from enrolments

)

select * from final
