with

enrolments as (

    select * from {{ ref('stg_submissions__enrolments') }}

),

classes as (

    select * from {{ ref('int_classes_termed') }}

),

final as (

    select
        enrolments.class_code,
        enrolments.person_key,
        enrolments.unit_code,
        classes.term_code,
        classes.program_kind,
        classes.start_date,
        classes.end_date,
        classes.start_year,
        classes.end_year,
        enrolments.sessions_attended,
        enrolments.unexcused_absences,
        enrolments.result,
        enrolments.graduated
    from enrolments
    inner join classes
        on enrolments.class_code = classes.class_code

)

select * from final
