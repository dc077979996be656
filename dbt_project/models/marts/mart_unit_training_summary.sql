with

classes as (

    select * from {{ ref('int_classes_termed') }}
    where term_code is not null

),

enrolments as (

    select * from {{ ref('int_enrolments_termed') }}

),

class_counts as (

    select
        unit_code,
        term_code,
        count(*) as classes_count
    from classes
    group by
        unit_code,
        term_code

),

enrolment_counts as (

    select
        classes.unit_code,
        classes.term_code,
        count(*) as enrolments_count,
        count(distinct enrolments.person_key) as distinct_trainees
    from classes
    inner join enrolments
        on classes.class_code = enrolments.class_code
    group by
        classes.unit_code,
        classes.term_code

),

final as (

    select
        class_counts.unit_code,
        class_counts.term_code,
        cast(class_counts.classes_count as bigint) as classes_count,
        cast(coalesce(enrolment_counts.enrolments_count, 0) as bigint) as enrolments_count,
        cast(coalesce(enrolment_counts.distinct_trainees, 0) as bigint) as distinct_trainees
    from class_counts
    left join enrolment_counts
        on class_counts.unit_code = enrolment_counts.unit_code
            and class_counts.term_code = enrolment_counts.term_code

)

select * from final
