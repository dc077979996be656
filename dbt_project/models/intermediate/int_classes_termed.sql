with

classes as (

    select * from {{ ref('stg_submissions__classes') }}

),

programs as (

    select * from {{ ref('stg_reference__programs') }}

),

congress_terms as (

    select * from {{ ref('stg_reference__terms') }}
    where term_kind = 'dai_hoi'

),

final as (

    select
        classes.class_code,
        classes.unit_code,
        classes.program_code,
        programs.program_kind,
        programs.target_group,
        congress_terms.term_code,
        classes.target_term_code,
        classes.start_date,
        classes.end_date,
        cast(extract(year from classes.start_date) as integer) as start_year,
        cast(extract(year from classes.end_date) as integer) as end_year,
        classes.planned_sessions
    from classes
    left join programs
        on classes.program_code = programs.program_code
    left join congress_terms
        on classes.start_date between congress_terms.start_date and congress_terms.end_date

)

select * from final
