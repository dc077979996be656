with

classes as (

    select * from {{ ref('int_classes_termed') }}

),

enrolments as (

    select * from {{ ref('int_enrolments_termed') }}

),

enrolment_counts as (

    select
        class_code,
        count(*) as enrolled_count,
        sum(case when graduated then 1 else 0 end) as graduated_count
    from enrolments
    group by class_code

),

final as (

    select
        classes.class_code,
        classes.unit_code,
        classes.program_code,
        classes.program_kind,
        classes.target_group,
        classes.term_code,
        classes.target_term_code,
        classes.start_date,
        classes.end_date,
        classes.start_year as year,
        classes.planned_sessions,
        cast(coalesce(enrolment_counts.enrolled_count, 0) as bigint) as enrolled_count,
        cast(coalesce(enrolment_counts.graduated_count, 0) as bigint) as graduated_count
    from classes
    left join enrolment_counts
        on classes.class_code = enrolment_counts.class_code

)

select * from final
